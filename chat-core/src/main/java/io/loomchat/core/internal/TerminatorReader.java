package io.loomchat.core.internal;

import io.loomchat.core.Terminator;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Reads a connection's input and splits it by the terminator, calling the session as asynchat's
 * {@code async_chat.handle_read} does (CPython 3.11), on the connection's virtual thread.
 *
 * <p>The rule it keeps: whenever it is about to block in a read, every byte it has read has been passed to
 * {@link ReaderSink#collect}, except a prefix of the delimiter held back at the end of the buffer (asynchat's
 * {@code find_prefix_at_end}). The buffer holds {@code [start, end)}: input read but not yet dispatched, which
 * between reads is at most that prefix. The terminator fields are written by the session (through the channel)
 * on this same thread, and read by other threads only through {@link #getTerminator()}.
 *
 * <p>It knows its input stream, a {@link ReaderSink} for what it finds and a {@link TimeSource} for its stamps, nothing
 * of the connection: a test runs it over a byte array.
 */
final class TerminatorReader {
    private static final Terminator COUNT_MET = Terminator.count(0);
    /*
     * The terminator is written by the connection thread only and read by others (the channel's getTerminator).
     * Its frequent writes are release stores through these handles, as in ReaderStamps.
     */
    private static final VarHandle TERMINATOR;
    private static final VarHandle REMAINING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TERMINATOR = lookup.findVarHandle(TerminatorReader.class, "terminator", Terminator.class);
            REMAINING = lookup.findVarHandle(TerminatorReader.class, "remaining", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** The most bytes of a count read straight into one array for the session, instead of through the buffer. */
    private static final int DIRECT_COUNT_MAX = 1 << 20;
    /**
     * A count of at least this many bytes that the buffer holds only part of, and whose rest has arrived (a value in
     * a pipeline), is read straight into the array the session gets (the buffered part copied in first): one copy
     * fewer per byte, and one collect call, so a session that keeps whole values need not assemble them from
     * pieces. A count whose rest is still on its way goes through the buffer, handed over as it comes.
     */
    private static final int DIRECT_COUNT_MIN = 4096;
    /** The stream read; replaced by a {@link InputSwitch} between two reads. Connection thread only. */
    private InputStream in;
    private final ReaderSink sink;
    private final ReaderStamps stamps;
    private final int maxMessageSize;
    private final BufferSizer sizer;
    private byte[] buffer;
    private int start;
    private int end;

    /** The terminator as the session set it; a Count here is its initial value, see {@link #remaining}. */
    private volatile Terminator terminator = Terminator.none();
    /** The delimiter's bytes when {@link #terminator} is a Delimiter, else null. */
    private byte[] delimiter;
    /** The last Delimiter set and a copy of its bytes: a protocol that sets one constant again copies it once. */
    private Terminator.Delimiter lastSet;
    private byte[] lastSetBytes;
    /** The state of a terminator beyond asynchat's, else null. */
    private Splitter splitter;
    /**
     * The delimiter that ended the last message, or null if none did. Written per message on the connection
     * thread and read there (or by an idle event, after the session's turn passed to it): no volatile store in
     * the loop.
     */
    private Terminator.Delimiter lastDelimiter;
    /** The reader's side of a {@link #splitter}. */
    private final Splitter.Out out = new SplitterOut();
    /** The bytes still to read when {@link #terminator} is a Count. */
    private volatile long remaining;
    /** Counts setTerminator calls: a read straight into the session's array stops when a callback sets another. */
    private int terminatorSets;
    /** handleRead left the buffered part of a count for {@link #readCountDirect()}: its rest has arrived. */
    private boolean directNext;
    /** Bytes collected under a delimiter since the last found terminator, for maxMessageSize. */
    private long messageBytes;
    private volatile boolean discardRequested;
    /** True once a read returned end of stream. Connection thread only. */
    private boolean atEnd;
    /** A switch of the input (to TLS) asked for by a callback: nothing more is dispatched until it is done. */
    private InputSwitch pendingSwitch;

    TerminatorReader(InputStream in, ReaderSink sink, TimeSource time, int inBufferSize, int maxMessageSize) {
        this.in = in;
        this.sink = sink;
        this.stamps = new ReaderStamps(time);
        this.sizer = new BufferSizer(inBufferSize);
        this.buffer = new byte[sizer.initialSize()];
        this.maxMessageSize = maxMessageSize;
    }

    void setTerminator(Terminator terminator) {
        switch (terminator) {
            case Terminator.Delimiter d -> {
                if (d != lastSet) {
                    lastSetBytes = d.bytes();
                    lastSet = d;
                }
                delimiter = lastSetBytes;
                splitter = null;
                REMAINING.setRelease(this, 0L);
            }
            case Terminator.Count c -> {
                delimiter = null;
                splitter = null;
                REMAINING.setRelease(this, c.remaining());
            }
            case Terminator.None n -> {
                delimiter = null;
                splitter = null;
                REMAINING.setRelease(this, 0L);
            }
            case Terminator.LengthField f -> {
                delimiter = null;
                splitter = new LengthFieldSplitter(f);
                REMAINING.setRelease(this, 0L);
            }
            case Terminator.Delimiters d -> {
                delimiter = null;
                splitter = new DelimitersSplitter(d);
                REMAINING.setRelease(this, 0L);
            }
            case Terminator.StrictLines l -> {
                delimiter = null;
                splitter = new StrictLinesSplitter();
                REMAINING.setRelease(this, 0L);
            }
        }
        terminatorSet(terminator);
    }

    /** Sets a count, as {@code setTerminator(Terminator.count(count))} does, without allocating one. */
    void setCount(long count) {
        if (count < 0) throw new IllegalArgumentException("count < 0: " + count);
        delimiter = null;
        splitter = null;
        REMAINING.setRelease(this, count);
        terminatorSet(COUNT_MET);  // any Count: getTerminator() reads the count from remaining
    }

    /** What every new terminator starts: a new message, counted for the direct read, published last. */
    private void terminatorSet(Terminator terminator) {
        messageBytes = 0;
        terminatorSets++;
        stamps.messageEnds();
        TERMINATOR.setRelease(this, terminator);
    }

    Terminator getTerminator() {
        Terminator t = terminator;
        return t instanceof Terminator.Count ? Terminator.count(remaining) : t;
    }

    /** {@return the delimiter that ended the last message, or null if a count or a length did, or none yet} */
    Terminator.Delimiter lastDelimiter() {
        return lastDelimiter;
    }

    /**
     * Reads from the stream {@code next} gives once the callbacks for the current read return: the rest of what
     * that read brought is not dispatched, but handed to {@code next} as a count. Connection thread only.
     */
    void switchInput(InputSwitch next) {
        pendingSwitch = next;
    }

    /** asynchat's {@code discard_buffers}, input half: drops what is buffered, at the next turn of the loop. */
    void discard() {
        discardRequested = true;
    }

    /**
     * Reads and dispatches until end of stream (returns true), or until dispatching stops (returns false, or
     * throws if the connection was closed meanwhile).
     *
     * @throws IOException when a read fails, including because the connection was closed meanwhile
     */
    boolean run() throws IOException {
        while (sink.dispatching()) {
            if (pendingSwitch != null && !switchNow()) return false;
            if (discardRequested) {
                // asynchat's discard_buffers empties ac_in_buffer: a request left over from the last dispatch of
                // a read drops what is held back, never the next read.
                discardRequested = false;
                start = end;
            }
            if (directNext || readsCountDirect() && restArrived()) {
                // A large count, all here: read it straight into the array the session gets.
                directNext = false;
                if (!readCountDirect()) return atEnd;
                continue;
            }
            if (start == end) {
                start = end = 0;
                int size = sizer.nextSize(buffer.length);
                if (size != buffer.length) buffer = new byte[size];
            } else if (end == buffer.length) {
                makeRoom();
            }
            int wanted = buffer.length - end;
            int n = read(buffer, end, wanted);
            if (n < 0) return atEnd = true;
            sizer.read(n, wanted, buffer.length);
            end += n;
            sink.beginDispatch();
            handleRead();
            sink.endDispatch();
            // A message under a delimiter is still arriving: stamp when it began, for the message timeout.
            if (delimiter != null && (messageBytes > 0 || start < end)
                    || splitter != null && (splitter.inMessage() || start < end)) {
                stamps.messageUnfinished();
            }
        }
        return false;
    }

    /** Switches the input as a callback asked; returns false if it was refused. */
    private boolean switchNow() throws IOException {
        InputSwitch next = pendingSwitch;
        pendingSwitch = null;
        int buffered = end - start;
        start = end = 0;  // never dispatched, whatever the switch does
        directNext = false;
        InputStream switched = next.switchInput(buffered);
        if (switched == null) return false;
        in = switched;
        return true;
    }

    /** Reads, stamped for the idle timeout; while it waits, the sink may call the session (an idle event). */
    private int read(byte[] into, int offset, int length) throws IOException {
        sink.readStarts();
        stamps.readStarts();
        int n = 0;
        try {
            n = in.read(into, offset, length);
            return n;
        } finally {
            stamps.readEnds(n);
            sink.readEnds();
        }
    }

    /**
     * Whether the rest of the count (up to {@link #DIRECT_COUNT_MAX}) can be read now without waiting: only then is
     * it read straight into one array, so that no byte read waits in it for bytes still on their way.
     */
    private boolean restArrived() {
        long wanted = Math.min(remaining, DIRECT_COUNT_MAX) - (end - start);
        try {
            return in.available() >= wanted;
        } catch (IOException e) {
            return false;  // the read that follows reports it
        }
    }

    /** Whether the count being read is {@link #DIRECT_COUNT_MIN} bytes or more, and not all buffered. */
    private boolean readsCountDirect() {
        long remaining = this.remaining;
        return delimiter == null && remaining >= DIRECT_COUNT_MIN && remaining > end - start;
    }

    /**
     * Reads the rest of a count (up to 1 MiB) into one new array, after the bytes of it already buffered, and
     * hands it to the session whole when it arrives in one go: one allocation and no copy, where the buffer would
     * cost a copy per read. Before a read that would block (nothing {@link InputStream#available() available}),
     * what arrived is handed over first, as asynchat collects every read: a session relaying a body sees it as it
     * comes. Only the split into collect calls differs from asynchat, which the contract allows. Returns false
     * at end of input, or when dispatching stopped.
     */
    private boolean readCountDirect() throws IOException {
        int size = (int) Math.min(remaining, DIRECT_COUNT_MAX);
        int filled = Math.min(end - start, size);
        // The buffered part, then whatever follows it in the buffer (or zeros), which the reads below overwrite.
        byte[] data = Arrays.copyOfRange(buffer, start, start + size);
        start += filled;
        int handed = 0;
        int sets = terminatorSets;
        while (filled < size) {
            if (filled > handed && in.available() == 0) {
                // About to block: the session gets what has arrived (a copy: the array fills on).
                handOver(Arrays.copyOfRange(data, handed, filled));
                handed = filled;
                // A callback that set another terminator, or closed, ends this count's fast path.
                if (sets != terminatorSets || !sink.dispatching()) return sink.dispatching();
            }
            int n = read(data, filled, size - filled);
            if (n < 0) {
                atEnd = true;
                if (filled > handed) handOver(Arrays.copyOfRange(data, handed, filled));
                return false;
            }
            filled += n;
        }
        sink.beginDispatch();
        long left = remaining - (size - handed);
        REMAINING.setRelease(this, left);
        int setsBefore = terminatorSets;
        if (sink.dispatching()) sink.collect(handed == 0 ? data : Arrays.copyOfRange(data, handed, size));
        if (left == 0 && sink.dispatching()) {  // as asynchat: the count is met, whatever terminator the collect set
            if (setsBefore == terminatorSets) TERMINATOR.setRelease(this, COUNT_MET);  // else the collect's applies
            lastDelimiter = null;
            found();
        }
        sink.endDispatch();
        return true;
    }

    /** Hands part of a count to the session before the whole has arrived. */
    private void handOver(byte[] piece) {
        sink.beginDispatch();
        REMAINING.setRelease(this, remaining - piece.length);
        if (sink.dispatching()) sink.collect(piece);
        sink.endDispatch();
    }

    /**
     * Reads and drops input until end of stream, a failed read, or {@code limit} bytes: after the last reply, so
     * that closing with unread input does not send a reset that could destroy that reply.
     */
    void drain(long limit) {
        for (long drained = 0; !atEnd && drained < limit; ) {
            try {
                int n = read(buffer, 0, buffer.length);
                if (n < 0) atEnd = true;
                else drained += n;
            } catch (IOException closed) {
                return;
            }
        }
    }

    /**
     * {@return the input read but never passed to {@link ReaderSink#collect}} After the end of input this is the
     * start of a delimiter held back at the end (asynchat's {@code find_prefix_at_end}), or empty: by the rule
     * above, everything else read was collected before the read that saw the end. Empty after a discard.
     * Connection thread only.
     */
    byte[] heldBack() {
        return discardRequested ? new byte[0] : Arrays.copyOfRange(buffer, start, end);
    }

    /** {@return what the reader publishes for the watchdog and the stats} */
    ReaderStamps stamps() {
        return stamps;
    }

    /** asynchat's {@code handle_read} loop over the buffered input. */
    private void handleRead() {
        // A callback that switches the input (startTls) ends the dispatch: what follows is not dispatched.
        while (start < end && sink.dispatching() && pendingSwitch == null) {
            if (discardRequested) {
                discardRequested = false;
                start = end;
                return;
            }
            // Re-read each turn: foundTerminator may have set another terminator, which applies to this input.
            byte[] delimiter = this.delimiter;
            long remaining = this.remaining;
            if (delimiter != null) {
                int index = Bytes.indexOf(buffer, start, end, delimiter);
                if (index >= 0) {
                    // 1) The delimiter is here: collect what precedes it (never an empty piece), drop it, dispatch.
                    // Which delimiter ended it, read before collecting: collectIncomingData may set another.
                    Terminator.Delimiter ended = terminator instanceof Terminator.Delimiter d ? d : null;
                    int from = start;
                    start = index + delimiter.length;
                    if (!collectDelimited(from, index)) return;
                    lastDelimiter = ended;
                    found();
                } else {
                    // 2) A prefix of the delimiter may end the buffer: hold it back, collect the rest, read more.
                    // 3) (No prefix: held is 0 and everything is collected.)
                    int held = Bytes.findPrefixAtEnd(buffer, start, end, delimiter);
                    int from = start;
                    start = end - held;
                    collectDelimited(from, start);
                    return;
                }
            } else if (splitter != null) {
                // A terminator beyond asynchat's: one step of it, then the loop re-reads the terminator.
                int from = start;
                start = splitter.split(buffer, from, end, out);
                if (start == from) return;  // it needs more input
            } else if (remaining > 0) {
                // A large count only partly buffered, and the rest here: leave it for readCountDirect.
                if (readsCountDirect() && restArrived()) {
                    directNext = true;
                    return;
                }
                // A count: collect up to it; once met the terminator is Count(0), which collects everything.
                int n = (int) Math.min(remaining, end - start);
                int from = start;
                start += n;
                REMAINING.setRelease(this, remaining - n);
                int setsBefore = terminatorSets;
                collect(from, start);
                if (remaining == n) {
                    // Met: Count(0), unless the collect set another terminator, which then applies (and says so).
                    if (setsBefore == terminatorSets) TERMINATOR.setRelease(this, COUNT_MET);
                    lastDelimiter = null;
                    found();
                }
            } else {
                // None, or Count(0): collect it all.
                int from = start;
                start = end;
                collect(from, end);
            }
        }
    }

    /** Collects under a delimiter, enforcing maxMessageSize; returns false if the limit was broken. */
    private boolean collectDelimited(int from, int to) {
        messageBytes += to - from;
        if (maxMessageSize > 0 && messageBytes > maxMessageSize) {
            sink.messageTooLong(maxMessageSize, messageBytes);
            return false;
        }
        collect(from, to);
        return true;
    }

    private void collect(int from, int to) {
        // asynchat: "don't bother reporting the empty string (source of subtle bugs)"
        if (to > from && sink.dispatching()) sink.collect(buffer, from, to - from);
    }

    private void found() {
        messageBytes = 0;
        stamps.found();
        if (sink.dispatching()) sink.found();
    }

    /** The reader's side of a splitter: its calls go to the session, its refusals end the input. */
    private final class SplitterOut implements Splitter.Out {
        @Override
        public void collect(byte[] buffer, int from, int to) {
            TerminatorReader.this.collect(from, to);
        }

        @Override
        public boolean collectLine(byte[] buffer, int from, int to) {
            return collectDelimited(from, to);
        }

        @Override
        public void found(Terminator.Delimiter delimiter) {
            lastDelimiter = delimiter;
            TerminatorReader.this.found();
        }

        @Override
        public void frameTooLarge(long limit, long bytes) {
            sink.frameTooLarge(limit, bytes);
        }

        @Override
        public void protocolError(String rule, String detail) {
            sink.protocolError(rule, detail);
        }
    }

    /** Moves the held-back bytes to the front, growing the buffer if they fill it (a delimiter longer than it). */
    private void makeRoom() {
        int held = end - start;
        if (start == 0) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
            return;
        }
        System.arraycopy(buffer, start, buffer, 0, held);
        start = 0;
        end = held;
    }
}
