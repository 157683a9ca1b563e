package io.loomchat.server;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The server of PyMOTW's asynchat echo example ({@code asynchat_echo_server.py}'s EchoHandler): a command line
 * {@code ECHO <n>}, then a count terminator of n bytes, which are pushed back before the connection closes when
 * done.
 */
final class EchoHandler implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private boolean readingMessage;

    EchoHandler(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        received.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        byte[] data = received.toByteArray();
        received.reset();
        if (readingMessage) {
            channel.push(data);
            channel.closeWhenDone();
        } else {
            processCommand(new String(data, StandardCharsets.US_ASCII).strip());
        }
    }

    private void processCommand(String command) {
        String[] words = command.split(" ");
        if (words.length != 2 || !words[0].equals("ECHO")) {
            channel.push("ERR unknown command\n");
            channel.closeWhenDone();
            return;
        }
        long length = Long.parseLong(words[1]);
        if (length == 0) {
            // asynchat: a count of 0 means no terminator, so an empty message has nothing to wait for
            channel.closeWhenDone();
            return;
        }
        channel.setTerminator(length);
        readingMessage = true;
    }
}
