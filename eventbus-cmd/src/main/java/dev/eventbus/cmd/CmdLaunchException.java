package dev.eventbus.cmd;

import dev.eventbus.EventBusException;

import java.io.Serial;

/**
 * A CMD event's command could not be started: its executable, working directory or input file is missing or not
 * accessible, or an output file cannot be created. The message names the path. It is the exception of the event's
 * result, which is final: a launch failure is not retried.
 */
public class CmdLaunchException extends EventBusException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what could not be started, naming the path
     * @param cause the underlying failure, or null
     */
    public CmdLaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
