package dev.eventbus.chaos;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A fake CORELET worker, started as a {@code -javaagent} of a real worker JVM so that the real worker main never
 * runs: it connects the way the parent asked (pipes, or the socket fallback), says a correct hello, then answers every request with the raw bytes found in the event's data (a
 * {@code byte[]} whose first byte says what to do afterwards: {@link #CONTINUE}, {@link #EXIT} or {@link #HANG}).
 * This lets a test send the parent any frame at all: truncated, oversized, reordered, garbage, hostile.
 */
public final class FakeWorkerAgent {

    /** After the reply, read the next request. */
    public static final byte CONTINUE = 0;
    /** After the reply, close the channel and exit. */
    public static final byte EXIT = 1;
    /** After the reply, keep the channel open and never answer again (until killed). */
    public static final byte HANG = 2;

    private static final int MAGIC = 0x45424331;

    private FakeWorkerAgent() {
    }

    /**
     * Runs the fake worker instead of the JVM's main class; never returns.
     *
     * @param agentArgs unused
     */
    public static void premain(String agentArgs) {
        try {
            serve(agentArgs == null ? "" : agentArgs);
            System.exit(0);
        } catch (Throwable t) {
            System.err.println("fake worker: " + t);
            System.exit(3);
        }
    }

    private static void serve(String hello) throws Exception {
        String[] command = System.getProperty("sun.java.command").split(" ");
        String link = command[command.length - 2];
        InputStream stdin = new FileInputStream(FileDescriptor.in); // unbuffered: with pipes, frames follow the token
        String token = readLine(stdin);
        boolean piped = link.endsWith(".fifo");
        Closeable channel;
        DataInputStream in;
        DataOutputStream out;
        if (piped) { // requests on stdin, replies into the FIFO, as the real worker does
            FileOutputStream fifo = new FileOutputStream(link);
            channel = fifo;
            in = new DataInputStream(stdin);
            out = new DataOutputStream(fifo);
        } else {
            SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
            socket.connect(UnixDomainSocketAddress.of(link));
            channel = socket;
            in = new DataInputStream(Channels.newInputStream(socket));
            out = new DataOutputStream(Channels.newOutputStream(socket));
        }
        long pid = ProcessHandle.current().pid();
        switch (hello) {
            case "silent" -> { // connected, never says hello (with pipes, a first byte is what says connected)
                if (piped) {
                    out.writeInt(MAGIC);
                    out.flush();
                }
                Thread.sleep(Long.MAX_VALUE);
            }
            case "wrong-pid" -> out.write(ProtocolFrames.frame(1, "",
                    ProtocolFrames.payload().string(token).longValue(pid + 1).bytes()));
            case "wrong-token" -> out.write(ProtocolFrames.frame(1, "",
                    ProtocolFrames.payload().string("not-the-token").longValue(pid).bytes()));
            case "garbage" -> out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            case "hang-up" -> { // with pipes, mid-hello: a FIFO closed before its first byte looks like a slow start
                if (piped) {
                    out.writeInt(MAGIC);
                    out.flush();
                }
                channel.close();
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> out.write(ProtocolFrames.frame(1, "",
                    ProtocolFrames.payload().string(token).longValue(pid).bytes()));
        }
        out.flush();
        while (true) {
            byte[] requestPayload;
            try {
                if (in.readInt() != MAGIC) {
                    throw new IOException("bad magic from the parent");
                }
                in.readByte(); // version
                in.readByte(); // kind
                readString(in); // event id
                requestPayload = new byte[in.readInt()];
                in.readFully(requestPayload);
            } catch (EOFException e) {
                return;
            }
            byte[] script = dataOf(requestPayload);
            out.write(script, 1, script.length - 1);
            out.flush();
            if (script[0] == EXIT) {
                channel.close();
                return;
            }
            if (script[0] == HANG) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }

    /** The request payload: type, epochSecond, nano, name, priority, timeout, maxRetries, attempt, module, class, data. */
    private static byte[] dataOf(byte[] payload) throws IOException, ClassNotFoundException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        readString(in);
        in.readLong();
        in.readInt();
        readString(in);
        in.readInt();
        in.readLong();
        in.readInt();
        in.readInt();
        readString(in);
        readString(in);
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        // The data's first byte tags its encoding: 7 for a byte[] written directly, 0 for Java serialization.
        if (data[0] == 7) {
            return java.util.Arrays.copyOfRange(data, 1, data.length);
        }
        try (ObjectInputStream objects = new ObjectInputStream(new ByteArrayInputStream(data, 1, data.length - 1))) {
            return (byte[]) objects.readObject();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
