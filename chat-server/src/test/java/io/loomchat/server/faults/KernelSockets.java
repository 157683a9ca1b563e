package io.loomchat.server.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What the kernel holds for one loopback connection, both ends, from {@code ss -tnoi}: the bytes queued to send
 * and to read on each side, the advertised windows, and a persist timer (zero-window probes) if one runs. At a
 * stall this tells bytes never written (nothing queued) from bytes the peer's reader was not woken for (its
 * receive queue full) and bytes held back by a closed window (the sender's queue full, a persist timer).
 */
final class KernelSockets {
    private static final long TIMEOUT_SECONDS = 5;

    private KernelSockets() {
    }

    /** {@return the kernel's view of the TCP connection whose one end is local port {@code port}} */
    static String of(int port) {
        String filter = "( sport = :" + port + " or dport = :" + port + " )";
        try {
            Process ss = new ProcessBuilder("ss", "-tnoi", "state", "established", filter).redirectErrorStream(true)
                    .start();
            if (!ss.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                ss.destroyForcibly();
                return "ss did not answer within " + TIMEOUT_SECONDS + " s";
            }
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return out.replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "ss not available: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
