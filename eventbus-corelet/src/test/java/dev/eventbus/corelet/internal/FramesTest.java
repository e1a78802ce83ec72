package dev.eventbus.corelet.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The wire format: round trips, and garbage refused before anything large is allocated. */
@Timeout(30)
class FramesTest {

    private static byte[] frame(byte kind, String id, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Frames.write(new DataOutputStream(bytes), kind, id, payload);
        return bytes.toByteArray();
    }

    private static DataInputStream in(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    @Test
    void frameRoundTripsKindIdAndPayload() throws IOException {
        Frames.Frame frame = Frames.read(in(frame(Frames.RESULT, "id-1", new byte[] {1, 2, 3})), 100);
        assertEquals(Frames.RESULT, frame.kind());
        assertEquals("id-1", frame.eventId());
        assertArrayEquals(new byte[] {1, 2, 3}, frame.payload());
    }

    @Test
    void cleanEndOfStreamReadsAsNullAndATruncatedFrameFails() throws IOException {
        assertNull(Frames.read(in(new byte[0]), 100));
        byte[] whole = frame(Frames.RESULT, "id", new byte[10]);
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 1);
        assertThrows(EOFException.class, () -> Frames.read(in(truncated), 100));
    }

    @Test
    void badMagicAndUnknownVersionAreProtocolErrors() throws IOException {
        byte[] bytes = frame(Frames.RESULT, "id", new byte[0]);
        bytes[0] = 'X';
        Frames.ProtocolException magic = assertThrows(Frames.ProtocolException.class,
                () -> Frames.read(in(bytes), 100));
        assertEquals("bad frame magic 0x58424331", magic.getMessage());
        byte[] versioned = frame(Frames.RESULT, "id", new byte[0]);
        versioned[4] = 9;
        Frames.ProtocolException version = assertThrows(Frames.ProtocolException.class,
                () -> Frames.read(in(versioned), 100));
        assertEquals("unsupported protocol version 9 (expected " + Frames.VERSION + ")", version.getMessage());
    }

    @Test
    void oversizedOrNegativeLengthsAreRefusedBeforeAllocation() throws IOException {
        byte[] bytes = frame(Frames.RESULT, "id", new byte[0]);
        int lengthOffset = bytes.length - 4;
        ByteBuffer.wrap(bytes).putInt(lengthOffset, Integer.MAX_VALUE);
        Frames.OversizedFrameException big = assertThrows(Frames.OversizedFrameException.class,
                () -> Frames.read(in(bytes), 1000));
        assertEquals("frame of 2147483647 bytes exceeds the limit of 1000 bytes", big.getMessage());
        assertEquals("id", big.eventId);
        ByteBuffer.wrap(bytes).putInt(lengthOffset, -5);
        assertThrows(Frames.ProtocolException.class, () -> Frames.read(in(bytes), 1000));
    }

    @Test
    void requestRoundTripsEveryField() throws IOException {
        Frames.Request request = new Frames.Request("type", 12, 34, "name", 7, 1500, 2, 3, "mod", "a.B", new byte[] {9});
        Frames.Request back = Frames.Request.decode(request.encode());
        assertEquals(request.type(), back.type());
        assertEquals(request.epochSecond(), back.epochSecond());
        assertEquals(request.nano(), back.nano());
        assertEquals(request.name(), back.name());
        assertEquals(request.priority(), back.priority());
        assertEquals(request.timeoutMillis(), back.timeoutMillis());
        assertEquals(request.maxRetries(), back.maxRetries());
        assertEquals(request.attemptNumber(), back.attemptNumber());
        assertEquals(request.moduleName(), back.moduleName());
        assertEquals(request.className(), back.className());
        assertArrayEquals(request.data(), back.data());
    }

    @Test
    void exceptionInfoRoundTripsClassMessageStackAndCauses() throws IOException {
        Exception cause = new ArithmeticException(null);
        Exception top = new IllegalStateException("top", cause);
        Frames.Payload out = new Frames.Payload();
        Frames.writeException(out, Frames.describe(top));
        byte[] payload = out.bytes();
        Frames.ExceptionInfo info = Frames.readException(in(payload), payload.length);
        assertEquals("java.lang.IllegalStateException", info.className());
        assertEquals("top", info.message());
        assertArrayEquals(top.getStackTrace(), info.stackTrace());
        assertEquals("java.lang.ArithmeticException", info.cause().className());
        assertNull(info.cause().message());
        assertNull(info.cause().cause());
    }

    @Test
    void selfCausedExceptionIsDescribedOnce() throws IOException {
        Exception looping = new Exception("loop") {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Throwable getCause() {
                return this;
            }
        };
        Frames.ExceptionInfo info = Frames.describe(looping);
        assertNull(info.cause());
        assertEquals("loop", info.message());
    }
}
