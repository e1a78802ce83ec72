package dev.eventbus.chaos;

import java.io.Serializable;
import java.util.Objects;

/**
 * A chaos event's data: what its handler does, travelling with the event (serialized into CORELET workers).
 * Immutable.
 *
 * @param behaviour what every attempt does
 * @param workMillis how long a quick behaviour works before it answers
 * @param attemptDir the directory where every attempt appends a line to the file named after the event id
 * @param victimDir the directory where a {@link Behaviour#VICTIM} announces its worker's pid to the killer
 * @param holdMillis how long slow behaviours hold on: twice the timeout for ones that ignore interruption
 */
public record Script(Behaviour behaviour, long workMillis, String attemptDir, String victimDir, long holdMillis)
        implements Serializable {

    /** Validates the fields. */
    public Script {
        Objects.requireNonNull(behaviour, "behaviour");
        Objects.requireNonNull(attemptDir, "attemptDir");
        Objects.requireNonNull(victimDir, "victimDir");
    }
}
