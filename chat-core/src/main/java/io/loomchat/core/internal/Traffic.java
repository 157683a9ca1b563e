package io.loomchat.core.internal;

/**
 * A connection's traffic so far.
 *
 * @param bytesIn bytes read from the peer
 * @param bytesOut bytes written to the peer
 * @param messages terminators found: the messages received
 */
public record Traffic(long bytesIn, long bytesOut, long messages) {
}
