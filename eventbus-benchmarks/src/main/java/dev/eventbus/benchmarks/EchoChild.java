package dev.eventbus.benchmarks;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

/**
 * The child JVM of the CORELET baselines: reads length-prefixed frames on stdin and answers each on stdout until
 * stdin closes (so it ends with its parent). {@code raw} echoes the bytes; {@code serial} deserializes an
 * {@link EchoMessage}, builds the reply and serializes it, the least a java.io worker protocol does.
 *
 * <p>Single-threaded.
 */
public final class EchoChild {

    private EchoChild() {
    }

    /**
     * Runs the echo loop.
     *
     * @param args {@code raw} or {@code serial}
     * @throws Exception on a broken pipe or a bad frame
     */
    public static void main(String[] args) throws Exception {
        boolean serial = args.length > 0 && args[0].equals("serial");
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in)));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
        ObjectInputFilter filter = ObjectInputFilter.Config.createFilter(
                "maxdepth=10;maxbytes=65536;dev.eventbus.benchmarks.EchoMessage;java.lang.*;!*");
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                return;
            }
            byte[] frame = in.readNBytes(length);
            byte[] reply = serial ? reply(frame, filter) : frame;
            out.writeInt(reply.length);
            out.write(reply);
            out.flush();
        }
    }

    private static byte[] reply(byte[] frame, ObjectInputFilter filter) throws IOException, ClassNotFoundException {
        EchoMessage request;
        try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(frame))) {
            ois.setObjectInputFilter(filter);
            request = (EchoMessage) ois.readObject();
        }
        return serialize(new EchoMessage(request.id(), request.payload()));
    }

    static byte[] serialize(Object message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(message);
        }
        return bytes.toByteArray();
    }
}
