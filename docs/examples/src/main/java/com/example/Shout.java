package com.example;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.server.ChatServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A line server: answers each line in upper case, and says bye to QUIT. */
public final class Shout implements ChatSession {
    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public Shout(ChatChannel channel) {
        this.channel = channel;
        channel.setTerminator("\n");
    }

    @Override
    public void collectIncomingData(byte[] data) {
        line.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        String text = line.toString(StandardCharsets.UTF_8).strip();
        line.reset();
        if (text.equals("QUIT")) {
            channel.push("bye\n");
            channel.closeWhenDone();
        } else {
            channel.push(text.toUpperCase(Locale.ROOT) + "\n");
        }
    }

    public static void main(String[] args) throws Exception {
        ChatServer server = ChatServer.listen(7000, Shout::new);
        System.out.println("listening on port " + server.port() + "; try: nc localhost " + server.port());
        server.awaitClose();
    }
}
