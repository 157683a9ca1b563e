package io.loomchat.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadLeaksTest {

    /** Two entries of a JDK 25 JSON thread dump: a poller the JDK started on first use, and a thread of a test. */
    private static final String DUMP = """
            {"threadDump": {"threadContainers": [{"container": "<root>", "parent": null, "owner": null, "threads": [
              {
                "tid": "41",
                "time": "2026-11-22T06:07:59.350516190Z",
                "virtual": true,
                "name": "SubPoller-0",
                "state": "WAITING",
                "stack": [
                  "java.base\\/java.lang.VirtualThread.park(VirtualThread.java:742)",
                  "java.base\\/sun.nio.ch.Poller.poll(Poller.java:197)",
                  "java.base\\/java.lang.VirtualThread.run(VirtualThread.java:460)"
                ]
              },
              {
                "tid": "24",
                "time": "2026-11-22T06:07:59.350516190Z",
                "virtual": true,
                "name": "leaky \\"virtual\\"",
                "state": "WAITING",
                "parkBlocker": {
                  "object": "java.util.concurrent.CountDownLatch$Sync@3d51f06e"
                },
                "stack": [
                  "java.base\\/java.util.concurrent.CountDownLatch.await(CountDownLatch.java:230)",
                  "Leaky.lambda$main$0(Leaky.java:8)",
                  "java.base\\/java.lang.VirtualThread.run(VirtualThread.java:460)"
                ]
              }
            ]}]}}
            """;

    @Test
    void theJdksOwnVirtualThreadsAreNotCountedButATestsAreWithTheirStacks() {
        Map<String, String> threads = ThreadLeaks.parse(DUMP);
        assertEquals(Map.of("24", """
                virtual thread "leaky "virtual""
                \tat java.base/java.util.concurrent.CountDownLatch.await(CountDownLatch.java:230)
                \tat Leaky.lambda$main$0(Leaky.java:8)
                \tat java.base/java.lang.VirtualThread.run(VirtualThread.java:460)"""), threads);
    }
}
