package io.loomchat.micrometer;

import io.loomchat.core.CloseReason;
import io.loomchat.server.ChatServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link ChatServer}'s counters to a Micrometer {@link MeterRegistry}, so they appear where operators
 * already look (Prometheus, Spring Boot's actuator, Helidon, Quarkus):
 *
 * <table>
 *   <caption>The meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code loomchat.connections.open}</td><td>gauge</td><td>connections open now</td></tr>
 *   <tr><td>{@code loomchat.connections.accepted}</td><td>counter</td><td>connections accepted, refused ones
 *       included</td></tr>
 *   <tr><td>{@code loomchat.connections.refused}</td><td>counter</td><td>connections closed at once over
 *       {@code maxConnections}</td></tr>
 *   <tr><td>{@code loomchat.connections.closed}</td><td>counter, tag {@code reason}</td><td>connections ended, one
 *       counter for each {@link CloseReason}: write timeouts and broken limits among them</td></tr>
 *   <tr><td>{@code loomchat.bytes.in}, {@code loomchat.bytes.out}</td><td>counter, bytes</td><td>bytes read from
 *       and written to peers</td></tr>
 *   <tr><td>{@code loomchat.messages}</td><td>counter</td><td>terminators found: messages received</td></tr>
 *   <tr><td>{@code loomchat.output.queued}</td><td>gauge, bytes</td><td>output queued on the open connections, not
 *       yet written</td></tr>
 *   <tr><td>{@code loomchat.pushes.waited}</td><td>counter</td><td>pushes that waited for an output queue to drain
 *       below its high watermark: peers reading slower than sessions write</td></tr>
 * </table>
 *
 * {@snippet :
 * ChatServer server = ChatServer.listen(7000, LineEcho::new);
 * ChatServerMetrics.of(server, Tags.of("protocol", "echo")).bindTo(registry);
 * }
 *
 * <p>The meters read {@link ChatServer#stats()} when the registry asks: nothing is counted on a connection's path.
 * A scrape costs a pass over the open connections for each byte and message counter.
 */
public final class ChatServerMetrics implements MeterBinder {
    private final ChatServer server;
    private final Tags tags;

    private ChatServerMetrics(ChatServer server, Iterable<Tag> tags) {
        this.server = Objects.requireNonNull(server, "server");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /**
     * Returns a binder of {@code server}'s meters, with no tags of its own.
     *
     * @param server the server to measure
     * @return the binder; {@link #bindTo} registers the meters
     */
    public static ChatServerMetrics of(ChatServer server) {
        return new ChatServerMetrics(server, Tags.empty());
    }

    /**
     * Returns a binder of {@code server}'s meters, each with {@code tags} (which server, which protocol).
     *
     * @param server the server to measure
     * @param tags tags added to every meter
     * @return the binder; {@link #bindTo} registers the meters
     */
    public static ChatServerMetrics of(ChatServer server, Iterable<Tag> tags) {
        return new ChatServerMetrics(server, tags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("loomchat.connections.open", server, ChatServer::connectionCount)
                .description("connections open now").tags(tags).register(registry);
        counter(registry, "loomchat.connections.accepted", "connections accepted, refused ones included", null,
                s -> s.stats().accepted());
        counter(registry, "loomchat.connections.refused", "connections closed at once over maxConnections", null,
                s -> s.stats().refused());
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder("loomchat.connections.closed", server,
                            s -> s.stats().closedByReason().getOrDefault(reason, 0L))
                    .description("connections ended, by why").tags(tags).tag("reason", reason.name())
                    .register(registry);
        }
        counter(registry, "loomchat.bytes.in", "bytes read from peers", "bytes", s -> s.stats().bytesIn());
        counter(registry, "loomchat.bytes.out", "bytes written to peers", "bytes", s -> s.stats().bytesOut());
        counter(registry, "loomchat.messages", "terminators found: messages received", null,
                s -> s.stats().messages());
        Gauge.builder("loomchat.output.queued", server, s -> s.stats().outputQueued())
                .description("output queued on the open connections, not yet written").baseUnit("bytes")
                .tags(tags).register(registry);
        counter(registry, "loomchat.pushes.waited", "pushes that waited for an output queue to drain", null,
                s -> s.stats().pushesWaited());
    }

    private void counter(MeterRegistry registry, String name, String description, String unit,
                         ToDoubleFunction<ChatServer> count) {
        FunctionCounter.builder(name, server, count).description(description).baseUnit(unit).tags(tags)
                .register(registry);
    }
}
