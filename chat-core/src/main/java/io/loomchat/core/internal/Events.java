package io.loomchat.core.internal;

import io.loomchat.core.CloseReason;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR events for connections, so {@code jcmd PID JFR.start} shows them with no extra dependency. A disabled
 * event costs a field check. Fields are numbers and short strings: JFR puts strings over 16 characters in a
 * pool guarded by a monitor, which would pin the virtual thread committing the event.
 */
final class Events {
    private Events() {
    }

    static void opened(long id, SocketAddress remote) {
        ConnectionOpened event = new ConnectionOpened();
        if (!event.shouldCommit()) return;
        event.connection = id;
        event.remoteHost = host(remote);
        event.remotePort = port(remote);
        event.commit();
    }

    static void closed(long id, SocketAddress remote, CloseReason reason, long bytesIn, long bytesOut) {
        ConnectionClosed event = new ConnectionClosed();
        if (!event.shouldCommit()) return;
        event.connection = id;
        event.remoteHost = host(remote);
        event.remotePort = port(remote);
        event.reason = reason == null ? null : reason.name();
        event.bytesIn = bytesIn;
        event.bytesOut = bytesOut;
        event.commit();
    }

    static void slowConsumer(long id, SocketAddress remote, long queuedBytes) {
        SlowConsumerClosed event = new SlowConsumerClosed();
        if (!event.shouldCommit()) return;
        event.connection = id;
        event.remoteHost = host(remote);
        event.remotePort = port(remote);
        event.queuedBytes = queuedBytes;
        event.commit();
    }

    private static String host(SocketAddress remote) {
        return remote instanceof InetSocketAddress a ? a.getHostString() : null;
    }

    private static int port(SocketAddress remote) {
        return remote instanceof InetSocketAddress a ? a.getPort() : 0;
    }

    @Name("io.loomchat.ConnectionOpened")
    @Label("Connection Opened")
    @Category("loomchat")
    @Description("A loomchat connection started")
    static final class ConnectionOpened extends Event {
        @Label("Connection") long connection;
        @Label("Remote Host") String remoteHost;
        @Label("Remote Port") int remotePort;
    }

    @Name("io.loomchat.ConnectionClosed")
    @Label("Connection Closed")
    @Category("loomchat")
    @Description("A loomchat connection ended, and why")
    static final class ConnectionClosed extends Event {
        @Label("Connection") long connection;
        @Label("Remote Host") String remoteHost;
        @Label("Remote Port") int remotePort;
        @Label("Reason") String reason;
        @Label("Bytes In") @DataAmount long bytesIn;
        @Label("Bytes Out") @DataAmount long bytesOut;
    }

    @Name("io.loomchat.SlowConsumerClosed")
    @Label("Slow Consumer Closed")
    @Category("loomchat")
    @Description("A connection whose peer did not read its output within the write timeout was closed")
    static final class SlowConsumerClosed extends Event {
        @Label("Connection") long connection;
        @Label("Remote Host") String remoteHost;
        @Label("Remote Port") int remotePort;
        @Label("Queued Bytes") @DataAmount long queuedBytes;
    }
}
