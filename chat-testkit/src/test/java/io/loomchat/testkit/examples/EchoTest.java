package io.loomchat.testkit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loomchat.testkit.ChatServerExtension;
import io.loomchat.testkit.Conversation;
import io.loomchat.testkit.Fragmentation;
import io.loomchat.testkit.SessionHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The echo protocol, tested with the kit: the "after" of docs/testing.md. */
@Timeout(30)
class EchoTest {
    @RegisterExtension
    static final ChatServerExtension server = ChatServerExtension.serving(Echo::new);

    @Test
    void echoesEachLineThenClosesAfterTheClientDoes(Conversation client) {
        client.send("hello\r\none\r\ntwo\r\n").expect("hello\r\none\r\ntwo\r\n").shutdownOutput().expectClosed();
    }

    @Test
    void aLineSplitAcrossReadsComesBackWhole(SessionHarness echo) {
        echo.feed("hel").feed("lo\r").feed("\n");
        assertEquals("""
                > hel
                > lo\\r
                > \\n
                < hello\\r\\n
                """, echo.transcript());
    }

    @Test
    void echoesTheSameUnderEveryFragmentation() {
        Fragmentation.of(Echo::new).replay(client -> client
                .send("hello\r\n").expect("hello\r\n")
                .send("one\r\ntwo\r\n").expect("one\r\ntwo\r\n"));
    }

    @Test
    void theExampleTranscriptHolds(Conversation client) {
        client.replay(Path.of("src/test/resources/transcripts/echo.txt"));
    }
}
