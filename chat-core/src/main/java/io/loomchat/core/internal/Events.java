package io.loomchat.core.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * JFR events for connections, so {@code jcmd PID JFR.start} shows them with no extra dependency. A disabled
 * event costs a field check.
 */
final class Events {
    private Events() {
    }

    static void opened(Connection connection) {
        ConnectionOpened event = new ConnectionOpened();
        if (!event.shouldCommit()) return;
        event.connection = connection.name();
        event.remoteAddress = String.valueOf(connection.remoteAddress());
        event.commit();
    }

    static void closed(Connection connection, CloseReason reason, long bytesIn, long bytesOut) {
        ConnectionClosed event = new ConnectionClosed();
        if (!event.shouldCommit()) return;
        event.connection = connection.name();
        event.remoteAddress = String.valueOf(connection.remoteAddress());
        event.reason = reason.name();
        event.bytesIn = bytesIn;
        event.bytesOut = bytesOut;
        event.commit();
    }

    static void slowConsumer(Connection connection, long queuedBytes) {
        SlowConsumerClosed event = new SlowConsumerClosed();
        if (!event.shouldCommit()) return;
        event.connection = connection.name();
        event.remoteAddress = String.valueOf(connection.remoteAddress());
        event.queuedBytes = queuedBytes;
        event.commit();
    }

    @Name("io.loomchat.ConnectionOpened")
    @Label("Connection Opened")
    @Category("loomchat")
    @Description("A loomchat connection started")
    static final class ConnectionOpened extends Event {
        @Label("Connection") String connection;
        @Label("Remote Address") String remoteAddress;
    }

    @Name("io.loomchat.ConnectionClosed")
    @Label("Connection Closed")
    @Category("loomchat")
    @Description("A loomchat connection ended, and why")
    static final class ConnectionClosed extends Event {
        @Label("Connection") String connection;
        @Label("Remote Address") String remoteAddress;
        @Label("Reason") String reason;
        @Label("Bytes In") @DataAmount long bytesIn;
        @Label("Bytes Out") @DataAmount long bytesOut;
    }

    @Name("io.loomchat.SlowConsumerClosed")
    @Label("Slow Consumer Closed")
    @Category("loomchat")
    @Description("A connection whose peer did not read its output within the write timeout was closed")
    static final class SlowConsumerClosed extends Event {
        @Label("Connection") String connection;
        @Label("Remote Address") String remoteAddress;
        @Label("Queued Bytes") @DataAmount long queuedBytes;
    }
}
