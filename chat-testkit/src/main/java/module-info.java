/**
 * loomchat's test kit: {@link io.loomchat.testkit.Conversation} scripts a client over a socket or in memory,
 * {@link io.loomchat.testkit.SessionHarness} runs a session without a socket,
 * {@link io.loomchat.testkit.Fragmentation} replays a conversation under every fragmentation of its input, and
 * {@link io.loomchat.testkit.ChatServerExtension} runs a server for JUnit 5 tests.
 */
module io.loomchat.testkit {
    requires transitive io.loomchat.server;
    // JUnit is needed only by ChatServerExtension, whose signatures use its types.
    requires static transitive org.junit.jupiter.api;
    requires jdk.jfr;
    requires jdk.management;

    exports io.loomchat.testkit;
}
