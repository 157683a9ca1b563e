package io.loomchat.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.loomchat.examples.chat.ChatRoom;
import io.loomchat.examples.echo.EchoServer;
import io.loomchat.examples.http.HttpServer;
import io.loomchat.examples.pg.PgServer;
import io.loomchat.examples.resp.RespServer;
import io.loomchat.examples.smtp.SmtpSink;
import io.loomchat.testkit.Fragmentation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each example's conversation, kept as a transcript, replayed under every fragmentation of the client's bytes
 * (whole, every split point, seeded random splits, one byte per read; in memory and over TCP): the example's
 * replies must not change. The HTTP server's Date header comes from a fixed clock.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FragmentationProofTest {
    private static final Path TRANSCRIPTS = Path.of("src/test/resources/transcripts");

    @Test
    void echoUnderEveryFragmentation() {
        Fragmentation.of(EchoServer::new).replay(TRANSCRIPTS.resolve("echo.txt"));
    }

    @Test
    void chatRoomUnderEveryFragmentation() {
        Fragmentation.of(new ChatRoom()).replay(TRANSCRIPTS.resolve("chat.txt"));
    }

    @Test
    void httpUnderEveryFragmentation() {
        Clock fixed = Clock.fixed(Instant.parse("2026-11-22T06:00:00Z"), ZoneOffset.UTC);
        Fragmentation.of(new HttpServer(HttpServer.DEFAULT_MAX_HEAD_BYTES, HttpServer.DEFAULT_MAX_BODY_BYTES, fixed))
                .replay(TRANSCRIPTS.resolve("http.txt"));
    }

    @Test
    void respUnderEveryFragmentation() {
        Fragmentation.of(new RespServer()).replay(TRANSCRIPTS.resolve("resp.txt"));
    }

    @Test
    void postgresUnderEveryFragmentation() {
        // A psql session: its length-prefixed messages are framed by Terminator.lengthField alone. A fresh server
        // per run, so each run's tables start empty and its cancel key is the one recorded.
        Clock fixed = Clock.fixed(Instant.parse("2026-11-22T06:00:00Z"), ZoneOffset.UTC);
        Fragmentation.ofFresh(() -> new PgServer(fixed, new Random(1))).replay(TRANSCRIPTS.resolve("pg.txt"));
    }

    @Test
    void smtpUnderEveryFragmentation() {
        List<String> delivered = new CopyOnWriteArrayList<>();  // written by the runs' connection threads
        Fragmentation.of(new SmtpSink("sink.test", (envelope, data) -> delivered.add(new String(data,
                java.nio.charset.StandardCharsets.UTF_8)), 1 << 20)).replay(TRANSCRIPTS.resolve("smtp.txt"));
        // Every run delivered the same message, dot-unstuffed.
        assertEquals(List.of("Subject: hi\r\n\r\n.a line that starts with a dot\r\n"), delivered.stream().distinct().toList());
    }
}
