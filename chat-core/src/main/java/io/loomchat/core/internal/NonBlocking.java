package io.loomchat.core.internal;

/**
 * Marks a producer whose {@code more()} never blocks, so the pump may gather its chunks into one write
 * instead of writing what it has before each call.
 */
public interface NonBlocking {
}
