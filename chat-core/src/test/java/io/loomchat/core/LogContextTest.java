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

    /**
     * While the connection thread waits for input its MDC holds none of the connection's keys (an idle connection
     * keeps no MDC map); they are back in every callback, and a key the session put itself stays throughout.
     */
    @Test
    void theKeysAreTakenAwayWhileTheThreadWaitsForInput() throws Exception {
        List<String> atReads = new CopyOnWriteArrayList<>();
        List<String> inCallbacks = new CopyOnWriteArrayList<>();
        java.util.Iterator<String> chunks = List.of("a\n", "b\n").iterator();
        java.io.InputStream in = new java.io.InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                atReads.add(String.valueOf(MDC.getCopyOfContextMap()));
                if (!chunks.hasNext()) return -1;
                byte[] chunk = chunks.next().getBytes();
                System.arraycopy(chunk, 0, b, off, chunk.length);
                return chunk.length;
            }
        };
        ChatConnection connection = ChatConnection.start(in, new ByteArrayOutputStream(), channel -> {
            channel.setTerminator("\n");
            return new ChatSession() {
                @Override
                public void collectIncomingData(byte[] data) {
                }

                @Override
                public void foundTerminator() {
                    inCallbacks.add(MDC.get("connection") + " " + MDC.get("remote") + " " + MDC.get("user"));
                    MDC.put("user", "ann");
                }
            };
        });
        assertTrue(connection.awaitClosed(Duration.ofSeconds(10)));
        assertEquals(List.of("null", "{user=ann}", "{user=ann}"), atReads, "the MDC at each read");
        assertEquals(2, inCallbacks.size(), inCallbacks::toString);
        assertTrue(inCallbacks.get(0).matches("loomchat-conn-\\d+ null null"), inCallbacks.get(0));
        assertTrue(inCallbacks.get(1).matches("loomchat-conn-\\d+ null ann"), inCallbacks.get(1));
    }
}
