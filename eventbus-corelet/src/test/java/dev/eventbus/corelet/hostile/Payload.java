package dev.eventbus.corelet.hostile;

import java.io.Serial;
import java.io.Serializable;

/**
 * A serializable class outside the handlers' package: replies carrying it are rejected unless allowed.
 *
 * @param text some text
 */
public record Payload(String text) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
