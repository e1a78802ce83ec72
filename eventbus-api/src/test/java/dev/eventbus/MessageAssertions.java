package dev.eventbus;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions shared by the API tests: an exception's message must name the offending field and value. */
final class MessageAssertions {

    private MessageAssertions() {
    }

    /**
     * Asserts that the throwable's message contains every given part.
     *
     * @param thrown the exception
     * @param parts the texts its message must contain, such as the field name and the rejected value
     */
    static void assertMessageNames(Throwable thrown, String... parts) {
        String message = thrown.getMessage();
        assertNotNull(message, () -> thrown.getClass().getName() + " has no message");
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "message '" + message + "' should contain '" + part + "'");
        }
    }
}
