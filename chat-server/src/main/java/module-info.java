/** loomchat over TCP: {@link io.loomchat.server.ChatServer} accepts, {@link io.loomchat.server.ChatClient} connects. */
module io.loomchat.server {
    requires transitive io.loomchat.core;
    requires org.slf4j;

    exports io.loomchat.server;
    exports io.loomchat.server.internal to io.loomchat.testkit;
}
