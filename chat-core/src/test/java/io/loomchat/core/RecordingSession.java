package io.loomchat.core;

import io.loomchat.core.internal.Bytes;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A session that records what its channel dispatches: each piece given to collectIncomingData, the messages
 * (the bytes between two foundTerminator calls), the terminator seen inside each foundTerminator, the
 * unterminated tail, the errors, and how often opened() and closed() ran. Safe to read from the test thread.
 *
 * <p>Subclasses react to a message by overriding {@link #onMessage}, which runs inside foundTerminator.
 */
class RecordingSession implements ChatSession {
    /** What handleError does after recording the error. */
    enum OnError { CLOSE, KEEP_OPEN, DEFAULT }

    final ChatChannel channel;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final List<byte[]> pieces = new CopyOnWriteArrayList<>();
    private final List<byte[]> messages = new CopyOnWriteArrayList<>();
    private final List<Terminator> terminatorsAtFound = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final Set<String> callbackThreads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger openedCalls = new AtomicInteger();
    private final AtomicInteger closedCalls = new AtomicInteger();
    private volatile OnError onError = OnError.CLOSE;

    RecordingSession(ChatChannel channel) {
        this.channel = channel;
    }

    /** Returns a session that sets {@code terminator} on {@code channel} first. */
    static RecordingSession with(ChatChannel channel, Terminator terminator) {
        channel.setTerminator(terminator);
        return new RecordingSession(channel);
    }

    /** Returns a session on {@code "\n"} lines that runs {@code onMessage} inside each foundTerminator. */
    static RecordingSession onLines(ChatChannel channel, Consumer<byte[]> onMessage) {
        channel.setTerminator("\n");
        return new RecordingSession(channel) {
            @Override
            void onMessage(byte[] message) {
                onMessage.accept(message);
            }
        };
    }

    /** Sets what handleError does after recording; CLOSE (quietly) unless told otherwise. */
    RecordingSession onError(OnError policy) {
        this.onError = policy;
        return this;
    }

    /** Runs inside foundTerminator, after {@code message} was recorded. Does nothing by default. */
    void onMessage(byte[] message) {
    }

    @Override
    public void collectIncomingData(byte[] data) {
        callbackThreads.add(Thread.currentThread().getName());
        pieces.add(data.clone());
        current.writeBytes(data);
    }

    @Override
    public void foundTerminator() {
        callbackThreads.add(Thread.currentThread().getName());
        terminatorsAtFound.add(channel.getTerminator());
        byte[] message = current.toByteArray();
        current.reset();
        messages.add(message);
        onMessage(message);
    }

    @Override
    public void opened() {
        callbackThreads.add(Thread.currentThread().getName());
        openedCalls.incrementAndGet();
    }

    @Override
    public void closed() {
        callbackThreads.add(Thread.currentThread().getName());
        closedCalls.incrementAndGet();
    }

    @Override
    public void handleError(ChatChannel channel, Throwable error) {
        callbackThreads.add(Thread.currentThread().getName());
        errors.add(error);
        switch (onError) {
            case CLOSE -> channel.close();
            case KEEP_OPEN -> { }
            case DEFAULT -> ChatSession.super.handleError(channel, error);
        }
    }

    /** Returns the messages so far, escaped so that {@code \r\n} shows. */
    List<String> messages() {
        return messages.stream().map(RecordingSession::escape).toList();
    }

    /** Returns the bytes collected since the last foundTerminator, escaped. */
    String tail() {
        return escape(current.toByteArray());
    }

    /** Returns the messages and the tail. */
    Transcript transcript() {
        return new Transcript(messages(), tail());
    }

    /** {@return how many bytes collectIncomingData was given in all} */
    long collectedBytes() {
        return pieces.stream().mapToLong(p -> p.length).sum();
    }

    /** Returns every piece given to collectIncomingData, escaped. */
    List<String> pieces() {
        return pieces.stream().map(RecordingSession::escape).toList();
    }

    List<Terminator> terminatorsAtFound() {
        return List.copyOf(terminatorsAtFound);
    }

    List<Throwable> errors() {
        return List.copyOf(errors);
    }

    Set<String> callbackThreads() {
        return Set.copyOf(callbackThreads);
    }

    int openedCalls() {
        return openedCalls.get();
    }

    int closedCalls() {
        return closedCalls.get();
    }

    static String escape(byte[] bytes) {
        return Bytes.escape(bytes, 0, bytes.length);
    }

    /** What a session received: its messages and the unterminated tail, escaped. */
    record Transcript(List<String> messages, String tail) {
    }
}
