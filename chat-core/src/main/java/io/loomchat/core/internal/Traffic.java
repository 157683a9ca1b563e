package io.loomchat.core.internal;

/**
 * A connection's traffic so far.
 *
 * @param bytesIn bytes read from the peer
 * @param bytesOut bytes written to the peer
 * @param messages terminators found: the messages received
 * @param outputQueued bytes of output queued now, not yet written
 * @param pushesWaited pushes that waited for the output queue to drain below its high watermark
 */
public record Traffic(long bytesIn, long bytesOut, long messages, long outputQueued, long pushesWaited) {
}
