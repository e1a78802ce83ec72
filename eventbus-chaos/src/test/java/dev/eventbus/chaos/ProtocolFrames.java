package dev.eventbus.chaos;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes CORELET wire frames from the outside, as documented in the corelet module's {@code Frames}: int magic,
 * byte version, byte kind, string event id, int payload length, payload; strings are an int byte count (-1 for
 * null) and UTF-8. Stateless.
 */
final class ProtocolFrames {

    static final int MAGIC = 0x45424331;
    static final byte VERSION = 3;
    static final byte HELLO = 1;
    static final byte RESULT = 3;
    static final byte THREW = 4;
    static final byte RETURNED_EXCEPTION = 5;
    static final byte LOAD_FAILED = 6;

    private ProtocolFrames() {
    }

    static byte[] frame(int kind, String eventId, byte[] payload) {
        return frame(MAGIC, VERSION, kind, eventId, payload.length, payload);
    }

    static byte[] frame(int magic, int version, int kind, String eventId, int declaredLength, byte[] payload) {
        return payload().intValue(magic).byteValue(version).byteValue(kind).string(eventId).intValue(declaredLength)
                .raw(payload).bytes();
    }

    /** A valid RESULT frame: success with null data. */
    static byte[] success(String eventId) {
        return frame(RESULT, eventId, payload().bool(true).intValue(-1).bytes());
    }

    /** A valid THREW frame: one exception without stack. */
    static byte[] threw(String eventId, String className, String message) {
        return frame(THREW, eventId, payload().intValue(1).string(className).string(message).intValue(0).bytes());
    }

    static Builder payload() {
        return new Builder();
    }

    /** Builds bytes with a DataOutputStream. */
    static final class Builder {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Builder intValue(int v) {
            return io(() -> out.writeInt(v));
        }

        Builder longValue(long v) {
            return io(() -> out.writeLong(v));
        }

        Builder byteValue(int v) {
            return io(() -> out.writeByte(v));
        }

        Builder bool(boolean v) {
            return io(() -> out.writeBoolean(v));
        }

        Builder string(String s) {
            if (s == null) {
                return intValue(-1);
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return intValue(b.length).raw(b);
        }

        Builder raw(byte[] b) {
            return io(() -> out.write(b));
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }

        private Builder io(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
