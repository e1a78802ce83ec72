package dev.eventbus.benchmarks;

import java.io.Serial;
import java.io.Serializable;

/**
 * The message of the java.io-serialization pipe baseline: what a hand-written worker protocol would send, an id and
 * a payload.
 *
 * <p>Immutable.
 *
 * @param id the request's id
 * @param payload the data
 */
public record EchoMessage(String id, Serializable payload) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
