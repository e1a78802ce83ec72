package dev.eventbus;

import java.io.Serial;
import java.util.Objects;

/**
 * A CORELET handler failed in its worker JVM: it threw, or returned an exception result. Carries the remote
 * exception's class name and message; {@link #getStackTrace()} is the remote stack trace. The remote exception
 * itself is not deserialized in the parent, so a handler cannot send arbitrary classes back.
 */
public final class RemoteHandlerException extends EventBusException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;
    private final String remoteMessage;

    /**
     * Creates the exception from what the worker reported.
     *
     * @param remoteClassName the remote exception's class name
     * @param remoteMessage the remote exception's message, may be null
     * @param remoteStackTrace the remote stack trace
     * @param cause the remote exception's cause, already translated, or null
     */
    public RemoteHandlerException(String remoteClassName, String remoteMessage, StackTraceElement[] remoteStackTrace,
            RemoteHandlerException cause) {
        super(remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage), cause);
        this.remoteClassName = Objects.requireNonNull(remoteClassName, "remoteClassName");
        this.remoteMessage = remoteMessage;
        setStackTrace(Objects.requireNonNull(remoteStackTrace, "remoteStackTrace"));
    }

    /**
     * Returns the class name of the exception thrown in the worker.
     *
     * @return the remote class name
     */
    public String remoteClassName() {
        return remoteClassName;
    }

    /**
     * Returns the message of the exception thrown in the worker.
     *
     * @return the remote message, or null if it had none
     */
    public String remoteMessage() {
        return remoteMessage;
    }
}
