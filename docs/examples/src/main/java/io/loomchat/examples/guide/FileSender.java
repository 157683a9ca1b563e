package io.loomchat.examples.guide;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.SessionFactory;
import io.loomchat.core.Terminator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sends the files of one folder: the client sends {@code SEND <name>\n}; the server answers {@code OK <size>\n}
 * and the file's bytes, or {@code ERR no such file\n}, and closes.
 *
 * <p>The file is read by a producer, on the connection's pump thread, 64 KiB at a time as the peer takes it: it is
 * never in memory whole, and a slow disk holds up this connection's output only.
 */
public final class FileSender implements ChatSession {
    private static final int CHUNK = 64 * 1024;

    private final Path folder;
    private final ChatChannel channel;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    /** The file being sent, or null; closed when the connection closes, if the producer did not get to the end. */
    private InputStream file;

    private FileSender(Path folder, ChatChannel channel) {
        this.folder = folder;
        this.channel = channel;
        channel.setTerminator("\n");
    }

    /**
     * Returns a factory of sessions that send the files of {@code folder}.
     *
     * @param folder the folder; names that lead out of it are refused
     * @return the factory for a server
     */
    public static SessionFactory serving(Path folder) {
        Path root = folder.toAbsolutePath().normalize();
        return channel -> new FileSender(root, channel);
    }

    @Override
    public void collectIncomingData(byte[] data) {
        line.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        String command = line.toString(StandardCharsets.UTF_8).strip();
        Path path = command.startsWith("SEND ") ? folder.resolve(command.substring(5)).normalize() : null;
        if (path == null || !path.startsWith(folder) || !Files.isRegularFile(path)) {
            channel.push("ERR no such file\n");
        } else {
            send(path);
        }
        channel.setTerminator(Terminator.none()); // one request per connection: ignore the rest
        channel.closeWhenDone();                  // after the reply and the whole file
    }

    private void send(Path path) {
        try {
            InputStream in = Files.newInputStream(path);
            file = in;
            channel.push("OK " + Files.size(path) + "\n");
            channel.pushWithProducer(() -> {
                byte[] chunk = in.readNBytes(CHUNK); // may block: this runs on the pump's own thread
                if (chunk.length == 0) in.close();
                return chunk;                        // empty: exhausted
            });
        } catch (IOException e) {
            channel.push("ERR " + e.getMessage() + "\n");
        }
    }

    @Override
    public void closed() {
        try {
            if (file != null) file.close();
        } catch (IOException e) {
            // nothing was written to it; the connection is gone either way
        }
    }
}
