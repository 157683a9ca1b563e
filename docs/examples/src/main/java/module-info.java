/**
 * Real protocols on loomchat, each in one small file: an echo server and client, a chat room, HTTP/1.1, a
 * Redis-protocol key-value store, an SMTP sink and a PostgreSQL-protocol server, plus the {@code ./demo} launcher.
 * They use only loomchat's exported API, which this module declaration makes the compiler check.
 */
module io.loomchat.examples {
    requires transitive io.loomchat.server;
    requires org.slf4j;
    requires io.loomchat.micrometer;
    requires micrometer.registry.prometheus;
    requires redis.clients.jedis;
    requires org.apache.commons.pool2;

    exports io.loomchat.examples.echo;
    exports io.loomchat.examples.chat;
    exports io.loomchat.examples.http;
    exports io.loomchat.examples.resp;
    exports io.loomchat.examples.smtp;
    exports io.loomchat.examples.pg;
}
