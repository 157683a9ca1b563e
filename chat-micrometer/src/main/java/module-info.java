/**
 * loomchat's figures where operators look: {@link io.loomchat.micrometer.ChatServerMetrics} binds a server's
 * counters to a Micrometer {@code MeterRegistry}.
 */
// Micrometer names its automatic module in its manifest (Automatic-Module-Name: micrometer.core), a name that
// stays; the API hands out its MeterRegistry, so users need it read.
@SuppressWarnings("requires-transitive-automatic")
module io.loomchat.micrometer {
    requires transitive io.loomchat.server;
    requires transitive micrometer.core;

    exports io.loomchat.micrometer;
}
