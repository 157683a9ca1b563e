/**
 * loomchat's figures where operators look: {@link io.loomchat.micrometer.ChatServerMetrics} binds a server's
 * counters to a Micrometer {@code MeterRegistry}.
 */
module io.loomchat.micrometer {
    requires transitive io.loomchat.server;
    requires transitive micrometer.core;

    exports io.loomchat.micrometer;
}
