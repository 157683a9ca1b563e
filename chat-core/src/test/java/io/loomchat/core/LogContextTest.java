package io.loomchat.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** A connection's log lines can be tied to it: its name is in the MDC on its connection thread and its pump. */
class LogContextTest {
    @Test
    void bothThreadsOfAConnectionCarryItsName() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        ScriptedInput in = ScriptedInput.of(List.of("go\n".getBytes()));
        ChatConnection connection = ChatConnection.start(in, new ByteArrayOutputStream(), channel -> {
            channel.setTerminator("\n");
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                }

                @Override
                public void foundTerminator() {
                    seen.add("callback " + Thread.currentThread().getName() + " " + MDC.get("connection"));
                    channel.pushWithProducer(() -> {
                        seen.add("producer " + Thread.currentThread().getName() + " " + MDC.get("connection"));
                        return null;
                    });
                }
            };
        });
        assertTrue(connection.awaitClosed(Duration.ofSeconds(10)));
        assertEquals(2, seen.size(), seen::toString);
        String name = seen.get(0).split(" ")[1];
        assertTrue(name.startsWith("loomchat-conn-"), name);
        assertEquals(List.of("callback " + name + " " + name,
                "producer " + name.replace("-conn-", "-pump-") + " " + name), seen);
    }
}
