package io.loomchat.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.loomchat.core.ChatOptions;
import io.loomchat.core.ChatSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class InMemoryConnectionTest {

    @Test
    void aSessionBlockedInACallbackFailsFeedWithWhereItIsBlocked() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        InMemoryConnection connection = InMemoryConnection.start(ChatOptions.defaults(), channel -> {
            channel.setTerminator("\n");
            return new ChatSession() {
                @Override public void collectIncomingData(byte[] data) { }

                @Override public void foundTerminator() {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        }, Duration.ofMillis(200));
        try {
            AssertionError e = assertThrows(AssertionError.class, () -> connection.feed(bytes("x\n")));
            assertTrue(e.getMessage().startsWith("the session is still busy 200 ms after feeding \"x\\n\"; its "
                    + "connection thread loomchat-conn-"), e.getMessage());
            assertTrue(e.getMessage().contains("at java.base/java.util.concurrent.CountDownLatch.await"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("InMemoryConnectionTest$1.foundTerminator"), e.getMessage());
        } finally {
            release.countDown();
            connection.close();
        }
        assertTrue(connection.isClosed());
    }

    @Test
    void eachFeedIsExactlyOneReadEvenWhenItFitsInOneBuffer() {
        StringBuilder reads = new StringBuilder();
        try (InMemoryConnection connection = InMemoryConnection.start(ChatOptions.defaults(), channel ->
                new ChatSession() {
                    @Override public void collectIncomingData(byte[] data) {
                        reads.append('[').append(new String(data, StandardCharsets.UTF_8)).append(']');
                    }

                    @Override public void foundTerminator() { }
                }, Duration.ofSeconds(5))) {
            connection.feed(bytes("ab"));
            connection.feed(bytes("c"));
            connection.feed(bytes(""));
            connection.feed(bytes("de"));
        }
        // With no terminator, each read is collected as it comes: one call per fed fragment.
        assertEquals("[ab][c][de]", reads.toString());
    }

    @Test
    void aFragmentLargerThanTheReadBufferIsReadInBufferSizedPieces() {
        StringBuilder reads = new StringBuilder();
        try (InMemoryConnection connection = InMemoryConnection.start(ChatOptions.defaults().withInBufferSize(4),
                channel -> new ChatSession() {
                    @Override public void collectIncomingData(byte[] data) {
                        reads.append('[').append(new String(data, StandardCharsets.UTF_8)).append(']');
                    }

                    @Override public void foundTerminator() { }
                }, Duration.ofSeconds(5))) {
            connection.feed(bytes("abcdefghij"));
            assertEquals("[abcd][efgh][ij]", reads.toString());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
