package io.loomchat.examples.chat;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * A chat room's {@link ChatRoom.Backplane} on Redis: several instances, one room.
 *
 * <p>Lines cross instances on the pub/sub channel {@code loomchat:chat:lines}, each prefixed with its instance's id
 * so the instance skips its own. Pub/sub delivers at most once: a line published while an instance is not
 * subscribed (Redis down, or reconnecting) never reaches that instance's members.
 *
 * <p>Keys, all under {@code loomchat:chat:}: {@code nick:NAME} holds the id of the instance whose member has that
 * nickname (claimed only if absent or already ours, so nicknames are unique across instances), {@code instances}
 * the set of instance ids, {@code instance:ID:alive} a key whose expiry says the instance is alive, and
 * {@code instance:ID:members} its members. Every {@link #HEARTBEAT} an instance refreshes its keys to expire after
 * {@link #TTL}, and writes them again (after Redis lost them in a restart). A killed instance stops refreshing: its
 * members leave {@code /who} once its alive key expires, at most {@code TTL} after its last heartbeat, and the
 * first surviving instance to notice announces them as left, at most one heartbeat later.
 *
 * <p>When Redis is out of reach, the instance goes on: its members talk among themselves, lines for the other
 * instances are dropped (the sender is told, and the count is logged when Redis is back), and both loops try
 * again, the subscriber after a back-off that doubles from 100 ms to at most {@link #MAX_BACKOFF}.
 */
public final class RedisBackplane implements ChatRoom.Backplane {
    /** How often an instance refreshes its keys, and reaps instances that stopped. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** How long an instance's keys outlive its last heartbeat. */
    public static final Duration TTL = Duration.ofSeconds(3);
    /** The longest wait between two attempts to subscribe again. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(RedisBackplane.class);
    private static final String PREFIX = "loomchat:chat:";
    private static final String LINES = PREFIX + "lines";
    private static final String INSTANCES = PREFIX + "instances";
    /** Sets KEYS[1] to ARGV[1] for ARGV[2] ms if it is free or already ARGV[1]'s; returns 1 if so, else 0. */
    private static final String CLAIM = """
            local owner = redis.call('GET', KEYS[1])
            if owner and owner ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return 1""";
    /** Deletes KEYS[1] if it is ARGV[1]'s. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";

    private final RedisClient redis;
    private final String address;
    /** This instance's id: in its keys, and before each line it publishes. */
    private final String id = UUID.randomUUID().toString();
    /** The nicknames this instance claimed. */
    private final Set<String> nicknames = ConcurrentHashMap.newKeySet();
    /** True while the last command or subscription reached Redis; flips are logged once each. */
    private final AtomicBoolean reachable = new AtomicBoolean(true);
    /** Lines not sent to the other instances since Redis went out of reach. */
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The subscription in progress, null between two; read by close() to end it. */
    private volatile JedisPubSub subscription;
    /** True from the moment this instance is subscribed and its keys are written, until the subscription ends. */
    private volatile boolean subscribed;
    private Thread subscriber;
    private Thread heartbeat;

    private RedisBackplane(RedisClient redis, String address) {
        this.redis = redis;
        this.address = address;
    }

    /**
     * Returns a backplane on the Redis at {@code uri} ({@code redis://HOST:PORT}; the port defaults to 6379). It
     * does not connect yet: {@link #start} does, and keeps reconnecting.
     *
     * @throws IllegalArgumentException if {@code uri} is not a {@code redis://HOST[:PORT]} URI
     */
    public static RedisBackplane connect(String uri) {
        URI parsed = URI.create(uri);
        if (!"redis".equals(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException("not a redis://HOST:PORT URI: " + uri);
        }
        HostAndPort hostAndPort = new HostAndPort(parsed.getHost(), parsed.getPort() < 0 ? 6379 : parsed.getPort());
        // Every wait bounded: connecting, each reply, and a free connection from the pool.
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(16);
        pool.setMaxWait(Duration.ofSeconds(2));
        pool.setTestOnBorrow(true); // a connection broken by a Redis restart is replaced before use
        RedisClient redis = RedisClient.builder().hostAndPort(hostAndPort).poolConfig(pool)
                .clientConfig(DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000)
                        .socketTimeoutMillis(2000).clientName("loomchat-chat").build())
                .build();
        return new RedisBackplane(redis, hostAndPort.toString());
    }

    @Override
    public void start(Consumer<String> deliver) {
        subscriber = Thread.ofVirtual().name("redis-subscriber").start(() -> subscribe(deliver));
        heartbeat = Thread.ofVirtual().name("redis-heartbeat").start(this::beatUntilClosed);
    }

    /** Returns true while this instance is subscribed to the other instances' lines. */
    public boolean subscribed() {
        return subscribed;
    }

    @Override
    public boolean claim(String nickname) {
        try {
            if (!claimKey(nickname)) return false;
            nicknames.add(nickname);
            redis.sadd(membersKey(id), nickname);
            up();
            return true;
        } catch (JedisException e) {
            throw down(e);
        }
    }

    @Override
    public void release(String nickname) {
        nicknames.remove(nickname);
        try {
            redis.srem(membersKey(id), nickname);
            redis.eval(RELEASE, List.of(PREFIX + "nick:" + nickname), List.of(id));
        } catch (JedisException e) {
            down(e); // the claim expires with the TTL
        }
    }

    @Override
    public List<String> othersNicknames() {
        try {
            List<String> others = new ArrayList<>();
            for (String instance : redis.smembers(INSTANCES)) {
                if (!instance.equals(id) && redis.exists(aliveKey(instance))) {
                    others.addAll(redis.smembers(membersKey(instance)));
                }
            }
            up();
            return others;
        } catch (JedisException e) {
            throw down(e);
        }
    }

    @Override
    public boolean publish(String line) {
        try {
            redis.publish(LINES, id + " " + line);
            up();
            return true;
        } catch (JedisException e) {
            down(e);
            dropped.incrementAndGet();
            return false;
        }
    }

    /** Subscribes to the lines, again and again until closed; hands {@code deliver} the other instances' lines. */
    private void subscribe(Consumer<String> deliver) {
        long backoff = 100;
        while (!closed.get()) {
            AtomicBoolean wasUp = new AtomicBoolean();
            JedisPubSub pubsub = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int count) {
                    wasUp.set(true);
                    up();
                    beat(); // at once: after a Redis restart, this instance's keys are back before the next beat
                    subscribed = true;
                }

                @Override
                public void onMessage(String channel, String message) {
                    int space = message.indexOf(' ');
                    if (space > 0 && !message.substring(0, space).equals(id)) {
                        deliver.accept(message.substring(space + 1));
                    }
                }
            };
            subscription = pubsub;
            try {
                redis.subscribe(pubsub, LINES); // returns once unsubscribed, by close()
            } catch (JedisException e) {
                if (closed.get()) break;
                down(e);
            } finally {
                subscribed = false;
                subscription = null;
            }
            // A subscription that was up starts the back-off afresh; failed attempts in a row double it.
            backoff = wasUp.get() ? 100 : Math.min(backoff * 2, MAX_BACKOFF.toMillis());
            if (!pause(backoff)) break;
        }
    }

    private void beatUntilClosed() {
        do {
            beat();
        } while (pause(HEARTBEAT.toMillis()));
    }

    /** Refreshes (or writes again) this instance's keys, then reaps the instances whose alive key expired. */
    private void beat() {
        try {
            redis.set(aliveKey(id), "1", SetParams.setParams().px(TTL.toMillis()));
            redis.sadd(INSTANCES, id);
            for (String nickname : nicknames) {
                if (!claimKey(nickname)) log.warn("{}: the nickname {} is another instance's now", address, nickname);
            }
            if (!nicknames.isEmpty()) redis.sadd(membersKey(id), nicknames.toArray(String[]::new));
            reap();
            up();
        } catch (JedisException e) {
            down(e);
        }
    }

    /** Announces the members of every instance that stopped as left; SREM picks one reaper per dead instance. */
    private void reap() {
        for (String instance : redis.smembers(INSTANCES)) {
            if (instance.equals(id) || redis.exists(aliveKey(instance)) || redis.srem(INSTANCES, instance) == 0) {
                continue;
            }
            Set<String> gone = redis.smembers(membersKey(instance));
            redis.del(membersKey(instance));
            log.info("{}: instance {} stopped; its members left: {}", address, instance, gone);
            for (String nickname : gone) {
                redis.eval(RELEASE, List.of(PREFIX + "nick:" + nickname), List.of(instance));
                // To the other instances, and as if from another instance to this one's members.
                redis.publish(LINES, "reaper * " + nickname + " left");
            }
        }
    }

    private boolean claimKey(String nickname) {
        Object owned = redis.eval(CLAIM, List.of(PREFIX + "nick:" + nickname), List.of(id,
                Long.toString(TTL.toMillis())));
        return Long.valueOf(1).equals(owned);
    }

    private static String aliveKey(String instance) {
        return PREFIX + "instance:" + instance + ":alive";
    }

    private static String membersKey(String instance) {
        return PREFIX + "instance:" + instance + ":members";
    }

    private void up() {
        if (!reachable.getAndSet(true)) {
            log.info("{}: Redis reachable again; lines not sent to the other instances meanwhile: {}", address,
                    dropped.getAndSet(0));
        }
    }

    private UncheckedIOException down(JedisException e) {
        if (reachable.getAndSet(false) && !closed.get()) {
            log.warn("{}: Redis out of reach ({}); members here go on talking among themselves, lines for the other"
                    + " instances are dropped until it is back", address, e.getMessage());
            redis.getPool().clear(); // the idle connections died with it: new ones once it is back
        }
        return new UncheckedIOException(new IOException("Redis out of reach at " + address, e));
    }

    /** Waits {@code millis} unless closed meanwhile; returns false if closed. */
    private boolean pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
            return !closed.get();
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops both loops, then removes this instance's keys so the others see its members leave at once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        JedisPubSub pubsub = subscription;
        try {
            if (pubsub != null && pubsub.isSubscribed()) pubsub.unsubscribe();
        } catch (JedisException e) {
            // the subscription's connection is gone already: the subscriber loop ends on its own
        }
        for (Thread thread : new Thread[] {heartbeat, subscriber}) {
            if (thread == null) continue;
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            for (String nickname : nicknames) redis.eval(RELEASE, List.of(PREFIX + "nick:" + nickname), List.of(id));
            redis.del(aliveKey(id), membersKey(id));
            redis.srem(INSTANCES, id);
        } catch (JedisException e) {
            // out of reach: the keys expire after the TTL
        }
        redis.close();
    }
}
