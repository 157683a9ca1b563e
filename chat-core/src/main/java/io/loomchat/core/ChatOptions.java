package io.loomchat.core;

import io.loomchat.core.internal.TimeSource;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * The buffer sizes and limits of a connection, shared by servers, clients and stream pairs.
 *
 * <p>Immutable; start from {@link #defaults()} and change what you need:
 * {@snippet :
 * ChatOptions options = ChatOptions.defaults()
 *         .withMaxMessageSize(1 << 20)
 *         .withIdleTimeout(Duration.ofSeconds(30));
 * }
 *
 * <p>Every limit has a safe default, so a server started with no options is protected from a peer that never
 * sends a terminator, never reads, or never sends anything. A limit that trips gives the session's
 * {@link ChatSession#handleError} a {@link ChatLimitException} naming it, and closes the connection.
 */
public final class ChatOptions {
    private static final ChatOptions DEFAULTS = new ChatOptions();
    /** The longest timeout: about 27 years, well inside what nanoseconds in a long can hold. */
    private static final Duration MAX_TIMEOUT = Duration.ofDays(10_000);

    private int inBufferSize = 4096;
    private int outBufferSize = 4096;
    private int maxMessageSize = 64 * 1024;
    private Duration idleTimeout = Duration.ofMinutes(5);
    private Duration messageTimeout = Duration.ZERO;
    private Duration writeTimeout = Duration.ofSeconds(30);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private Duration readerIdleTime = Duration.ZERO;
    private Duration writerIdleTime = Duration.ZERO;
    private int highWatermark = 256 * 1024;
    private int lowWatermark = 64 * 1024;
    private InstantSource clock = TimeSource.SystemClock.INSTANCE;

    private ChatOptions() {
    }

    private ChatOptions copy() {
        ChatOptions o = new ChatOptions();
        o.inBufferSize = inBufferSize;
        o.outBufferSize = outBufferSize;
        o.maxMessageSize = maxMessageSize;
        o.idleTimeout = idleTimeout;
        o.messageTimeout = messageTimeout;
        o.writeTimeout = writeTimeout;
        o.handshakeTimeout = handshakeTimeout;
        o.readerIdleTime = readerIdleTime;
        o.writerIdleTime = writerIdleTime;
        o.highWatermark = highWatermark;
        o.lowWatermark = lowWatermark;
        o.clock = clock;
        return o;
    }

    /** {@return the defaults} Each accessor below gives its default value. */
    public static ChatOptions defaults() {
        return DEFAULTS;
    }

    /**
     * {@return the bytes read from the connection at a time (asynchat's {@code ac_in_buffer_size})} Default 4096.
     *
     * <p>From 4096 up the buffer adapts to the traffic, and reads return at most this many bytes only while
     * messages are small: a quiet connection, or one that exchanges small messages, reads into 256 bytes (less
     * memory per idle connection); a read that fills the buffer moves it to this size, then fourfold up to
     * 64 KiB (a client sending faster than it is read); a run of small reads returns it to 256 bytes. A value under
     * 4096 is kept exactly, as asynchat does, to show a session partial messages.
     */
    public int inBufferSize() {
        return inBufferSize;
    }

    /**
     * {@return the bytes gathered from producers before one write (asynchat's {@code ac_out_buffer_size})}
     * Default 4096.
     */
    public int outBufferSize() {
        return outBufferSize;
    }

    /**
     * {@return the most bytes collected between two {@link ChatSession#foundTerminator()} calls while the
     * terminator is a delimiter} Default 64 KiB, 0 for no limit. asynchat had no such limit: a peer that never
     * sent the terminator grew the buffer without end. Under a count or no terminator the session decides.
     */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** {@return how long a connection may send nothing before it is closed} Default 5 minutes, 0 for never. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * {@return how long one message may take to arrive under a delimiter terminator, from its first byte to its
     * delimiter} This stops a peer trickling a line a byte at a time. Default 0, no limit.
     */
    public Duration messageTimeout() {
        return messageTimeout;
    }

    /**
     * {@return how long a write may stay blocked on a peer that does not read, and how long a {@code push} may
     * wait over the high watermark, before that connection is closed} Default 30 seconds, 0 for never.
     */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /**
     * {@return how long a connection may take to open, as a whole: the TLS handshake} Default 10 seconds, 0 for
     * never. A peer that trickles its handshake a byte at a time is closed when it runs out, however often it
     * sends; no session is created for it.
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * {@return how long the connection waits for input before its session hears
     * {@link ChatSession#idle ChatSession.idle(channel, READER)}} Default 0: never. The session decides what
     * follows (a heartbeat, a close, nothing); the connection stays open. Measured while the connection waits in a
     * read, from when that read began or from the last such event, so a quiet peer is heard of once a period.
     * Netty's {@code IdleStateHandler} reader idle time is its like. The {@link #idleTimeout()}, which closes, is
     * separate.
     */
    public Duration readerIdleTime() {
        return readerIdleTime;
    }

    /**
     * {@return how long the connection may write nothing before its session hears
     * {@link ChatSession#idle ChatSession.idle(channel, WRITER)}} Default 0: never. Measured from the last bytes
     * written (or the connection's start), or from the last such event; not while a write is blocked on the peer
     * (the {@link #writeTimeout()} governs that), nor once the output is closing.
     */
    public Duration writerIdleTime() {
        return writerIdleTime;
    }

    /**
     * {@return the queued output, in bytes, over which {@link ChatChannel#push} waits and
     * {@link ChatChannel#tryPush} refuses} Default 256 KiB.
     */
    public int highWatermark() {
        return highWatermark;
    }

    /** {@return the queued output, in bytes, under which waiting pushes go on} Default 64 KiB. */
    public int lowWatermark() {
        return lowWatermark;
    }

    /**
     * {@return the clock every timeout of the connection is measured on} Default: the system's.
     *
     * <p>A test gives a clock it moves by hand (the test kit's {@code ManualClock}), so that "closed after five
     * minutes idle" runs in milliseconds and the same way every time. Only differences between its instants
     * count. The system's clock is read as {@link System#nanoTime()}, which never jumps; any other clock is read
     * through its instants, so a wall clock such as {@code Clock.systemUTC()} would jump with the system time.
     * The clock is read often, under the connection's locks: it must answer at once and never block.
     */
    public InstantSource clock() {
        return clock;
    }

    /**
     * Returns these options with another clock for the timeouts: idle, message, write, and the linger after the
     * last reply. Other waits (a pump thread idle for a second ends, spare buffers are dropped, replies held by a
     * callback that has not returned go out after 50 ms) read it too.
     *
     * @param clock the clock; the system's by default
     * @return new options; these are unchanged
     */
    public ChatOptions withClock(InstantSource clock) {
        ChatOptions o = copy();
        o.clock = Objects.requireNonNull(clock, "clock");
        return o;
    }

    /**
     * Returns these options with another input buffer size.
     *
     * @param bytes the bytes read at a time, at least 1
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if {@code bytes} is less than 1
     */
    public ChatOptions withInBufferSize(int bytes) {
        ChatOptions o = copy();
        o.inBufferSize = atLeast(1, bytes, "inBufferSize");
        return o;
    }

    /**
     * Returns these options with another output buffer size.
     *
     * @param bytes the producer output gathered before one write, at least 1
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if {@code bytes} is less than 1
     */
    public ChatOptions withOutBufferSize(int bytes) {
        ChatOptions o = copy();
        o.outBufferSize = atLeast(1, bytes, "outBufferSize");
        return o;
    }

    /**
     * Returns these options with another message size limit; 0 removes the limit.
     *
     * @param bytes the most bytes of one message under a delimiter terminator, or 0
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public ChatOptions withMaxMessageSize(int bytes) {
        ChatOptions o = copy();
        o.maxMessageSize = atLeast(0, bytes, "maxMessageSize");
        return o;
    }

    /**
     * Returns these options with another idle timeout; {@link Duration#ZERO} for none.
     *
     * @param timeout how long a connection may send nothing
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if {@code timeout} is negative or over 10,000 days
     */
    public ChatOptions withIdleTimeout(Duration timeout) {
        ChatOptions o = copy();
        o.idleTimeout = notNegative(timeout, "idleTimeout");
        return o;
    }

    /**
     * Returns these options with another message timeout; {@link Duration#ZERO} for none.
     *
     * @param timeout how long one message may take to arrive under a delimiter terminator
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if {@code timeout} is negative or over 10,000 days
     */
    public ChatOptions withMessageTimeout(Duration timeout) {
        ChatOptions o = copy();
        o.messageTimeout = notNegative(timeout, "messageTimeout");
        return o;
    }

    /**
     * Returns these options with another write timeout; {@link Duration#ZERO} for none.
     *
     * @param timeout how long a write or a waiting push may stay blocked on a peer that does not read
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if {@code timeout} is negative or over 10,000 days
     */
    public ChatOptions withWriteTimeout(Duration timeout) {
        ChatOptions o = copy();
        o.writeTimeout = notNegative(timeout, "writeTimeout");
        return o;
    }

    /**
     * Returns these options with another handshake timeout; {@link Duration#ZERO} for none.
     *
     * @param timeout how long a connection may take to open (a TLS handshake) from its first byte to its last
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if {@code timeout} is negative or over 10,000 days
     */
    public ChatOptions withHandshakeTimeout(Duration timeout) {
        ChatOptions o = copy();
        o.handshakeTimeout = notNegative(timeout, "handshakeTimeout");
        return o;
    }

    /**
     * Returns these options with idle events: the session's {@link ChatSession#idle} hears that no input came for
     * {@code readerIdle}, or that no output went for {@code writerIdle}; {@link Duration#ZERO} turns either off.
     * A heartbeat pushes a ping on the writer event and closes on the reader one, say.
     *
     * @param readerIdle how long without input before a {@code READER} event, or zero
     * @param writerIdle how long without output before a {@code WRITER} event, or zero
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if either is negative or over 10,000 days
     */
    public ChatOptions withIdleEvents(Duration readerIdle, Duration writerIdle) {
        ChatOptions o = copy();
        o.readerIdleTime = notNegative(readerIdle, "readerIdle");
        o.writerIdleTime = notNegative(writerIdle, "writerIdle");
        return o;
    }

    /**
     * Returns these options with other output watermarks.
     *
     * @param low the queued bytes under which waiting pushes go on
     * @param high the queued bytes over which pushes wait
     * @return new options; these are unchanged
     * @throws IllegalArgumentException if {@code low} is negative or greater than {@code high}, or {@code high}
     *     is less than 1
     */
    public ChatOptions withWatermarks(int low, int high) {
        atLeast(1, high, "highWatermark");
        if (low < 0 || low > high) throw new IllegalArgumentException("lowWatermark not in 0.." + high + ": " + low);
        ChatOptions o = copy();
        o.lowWatermark = low;
        o.highWatermark = high;
        return o;
    }

    private static int atLeast(int min, int value, String name) {
        if (value < min) throw new IllegalArgumentException(name + " < " + min + ": " + value);
        return value;
    }

    private static Duration notNegative(Duration value, String name) {
        if (Objects.requireNonNull(value, name).isNegative()) {
            throw new IllegalArgumentException(name + " < 0: " + value);
        }
        // Timeouts are kept in nanoseconds, which a longer duration would overflow; 0 means never.
        if (value.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " > " + MAX_TIMEOUT.toDays() + " days (use 0 for never): " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "ChatOptions[inBufferSize=" + inBufferSize + ", outBufferSize=" + outBufferSize
                + ", maxMessageSize=" + maxMessageSize + ", idleTimeout=" + idleTimeout
                + ", messageTimeout=" + messageTimeout + ", writeTimeout=" + writeTimeout
                + ", handshakeTimeout=" + handshakeTimeout
                + ", readerIdleTime=" + readerIdleTime + ", writerIdleTime=" + writerIdleTime
                + ", highWatermark=" + highWatermark + ", lowWatermark=" + lowWatermark
                + (clock == TimeSource.SystemClock.INSTANCE ? "" : ", clock=" + clock) + "]";
    }
}
