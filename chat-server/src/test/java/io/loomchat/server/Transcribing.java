package io.loomchat.server;

import io.loomchat.core.ChatChannel;
import io.loomchat.core.ChatSession;
import io.loomchat.core.internal.Bytes;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server-side session that writes down its messages (the bytes between foundTerminator calls) and its tail,
 * and hands them over when the connection closes. Sessions announce themselves on {@link #created}, so a test
 * can find the session of a connection it made.
 */
class Transcribing implements ChatSession {
    final ChatChannel channel;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final List<String> messages = new ArrayList<>();
    private final AtomicInteger closedCalls = new AtomicInteger();
    private final CompletableFuture<Transcript> transcript = new CompletableFuture<>();

    Transcribing(ChatChannel channel, BlockingQueue<Transcribing> created) {
        this.channel = channel;
        created.add(this);
    }

    /** Returns a queue for sessions to announce themselves on. */
    static BlockingQueue<Transcribing> queue() {
        return new LinkedBlockingQueue<>();
    }

    /** Takes the next session created, failing after {@link PlainClient#TIMEOUT}. */
    static Transcribing next(BlockingQueue<Transcribing> created) throws InterruptedException {
        Transcribing session = created.poll(PlainClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (session == null) throw new AssertionError("no session created within " + PlainClient.TIMEOUT);
        return session;
    }

    /** Runs inside foundTerminator with the message just ended. Does nothing by default. */
    void onMessage(byte[] message) {
    }

    @Override
    public void collectIncomingData(byte[] data) {
        if (data.length == 0) throw new AssertionError("empty piece collected");
        current.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        byte[] message = current.toByteArray();
        current.reset();
        messages.add(escape(message));
        onMessage(message);
    }

    @Override
    public void closed() {
        closedCalls.incrementAndGet();
        transcript.complete(new Transcript(List.copyOf(messages), escape(current.toByteArray())));
    }

    /** Waits for the connection to close, then returns what the session received. */
    Transcript awaitTranscript() throws Exception {
        return transcript.get(PlainClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    int closedCalls() {
        return closedCalls.get();
    }

    static String escape(byte[] bytes) {
        return Bytes.escape(bytes, 0, bytes.length);
    }

    /** What a session received: its messages and the unterminated tail, escaped so {@code \r\n} shows. */
    record Transcript(List<String> messages, String tail) {
    }
}
