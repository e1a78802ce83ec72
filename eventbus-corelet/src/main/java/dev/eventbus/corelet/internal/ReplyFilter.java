package dev.eventbus.corelet.internal;

import java.io.ObjectInputFilter;
import java.util.Set;

/**
 * The {@link ObjectInputFilter} a reply's data is deserialized under in the parent: limits first (depth,
 * references, stream bytes, array sizes, and the arrays' total), then the class allow-list. Remembers why it rejected, for the message.
 * One instance per reply; not thread-safe.
 */
final class ReplyFilter implements ObjectInputFilter {

    /** Largest reply frame the parent reads; larger ones fail the event and cost the worker its life. */
    static final int MAX_REPLY_BYTES = 64 * 1024 * 1024;
    /** Deep enough for real replies; shallow enough that nested-HashSet hash bombs (2^depth work) stay cheap. */
    static final long MAX_DEPTH = 20;
    static final long MAX_REFERENCES = 2_000_000;
    /**
     * What the arrays a reply declares may take in all, per byte of the reply, plus {@link #ARRAY_BUDGET_BASE}. Every
     * element of an honest array is backed by at least one byte of the stream (a primitive's own bytes, or the
     * marker of an object, a reference or null), and is counted as at most 8 bytes; the hash tables that HashMap
     * and HashSet declare for n mappings, each at least 2 bytes, hold up to about 2.7 n slots at the default load
     * factor, 11 bytes of table per byte of stream at most. 16 leaves room above both, and bounds what any reply can
     * make the parent allocate to a small multiple of its own size: 19 nested maps that each claim 12 million
     * mappings (a 631-byte reply) would otherwise take more than 1 GB before a single key is read.
     */
    static final long ARRAY_BYTES_PER_REPLY_BYTE = 16;
    /** The budget's base, for the minimum tables of small replies (16 slots for a map of one mapping). */
    static final long ARRAY_BUDGET_BASE = 1024 * 1024;

    private static final Set<String> DEFAULT_PACKAGES = Set.of("java.lang", "java.math");
    private static final String[] DEFAULT_PACKAGE_TREES = {"java.util", "java.time"};

    private final String handlerPackage;
    private final Set<String> dataClasses;
    private final ObjectInputFilter configured;
    private final long arrayBudget;
    private long arrayBytes;
    private String rejection;

    /**
     * Creates a filter.
     *
     * @param handlerPackage the handler class's package, or null
     * @param dataClasses classes found in the event's data
     * @param configured the {@code coreletAllowedClasses} patterns as a filter, or null
     * @param replyBytes the length of the serialized data this filter is for
     */
    ReplyFilter(String handlerPackage, Set<String> dataClasses, ObjectInputFilter configured, int replyBytes) {
        this.handlerPackage = handlerPackage;
        this.dataClasses = dataClasses;
        this.configured = configured;
        this.arrayBudget = ARRAY_BUDGET_BASE + ARRAY_BYTES_PER_REPLY_BYTE * replyBytes;
    }

    /** Why the last rejection happened, or null. */
    String rejection() {
        return rejection;
    }

    @Override
    public Status checkInput(FilterInfo info) {
        if (info.depth() > MAX_DEPTH) {
            return reject("the reply is nested deeper than " + MAX_DEPTH + " levels");
        }
        if (info.references() > MAX_REFERENCES) {
            return reject("the reply has more than " + MAX_REFERENCES + " objects");
        }
        if (info.streamBytes() > MAX_REPLY_BYTES) {
            return reject("the reply is larger than " + MAX_REPLY_BYTES + " bytes");
        }
        Class<?> c = info.serialClass();
        if (c == null) {
            return Status.UNDECIDED;
        }
        if (c.isArray() && info.arrayLength() >= 0) {
            long elementBytes = elementBytes(c.getComponentType());
            // an array's declared length is allocated before its elements are read: bound it by what the frame
            // could really carry
            if (info.arrayLength() * elementBytes > 2L * MAX_REPLY_BYTES
                    || info.arrayLength() > MAX_REPLY_BYTES) {
                return reject("the reply declares an array of " + info.arrayLength() + " elements");
            }
            arrayBytes += info.arrayLength() * elementBytes;
            if (arrayBytes > arrayBudget) {
                return reject("the reply declares arrays of " + arrayBytes + " bytes in all, more than the "
                        + arrayBudget + " bytes allowed for a reply of its size");
            }
        }
        Class<?> element = c;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        if (element.isPrimitive() || allowed(element)) {
            return Status.ALLOWED;
        }
        if (configured != null) {
            Status status = configured.checkInput(info);
            if (status == Status.ALLOWED) {
                return Status.ALLOWED;
            }
        }
        return reject("class " + element.getName() + " is not allowed in a CORELET reply; allow it with"
                + " EventBus.builder().coreletAllowedClasses(\"" + element.getName() + "\")"
                + " (or a pattern such as \"" + element.getPackageName() + ".*\")");
    }

    private boolean allowed(Class<?> c) {
        String pkg = c.getPackageName();
        if (DEFAULT_PACKAGES.contains(pkg) || pkg.equals(handlerPackage) || dataClasses.contains(c.getName())) {
            return true;
        }
        for (String tree : DEFAULT_PACKAGE_TREES) {
            if (pkg.equals(tree) || pkg.startsWith(tree + ".")) {
                return true;
            }
        }
        return false;
    }

    private Status reject(String why) {
        if (rejection == null) {
            rejection = why;
        }
        return Status.REJECTED;
    }

    private static long elementBytes(Class<?> component) {
        if (component == byte.class || component == boolean.class) {
            return 1;
        }
        if (component == short.class || component == char.class) {
            return 2;
        }
        if (component == int.class || component == float.class) {
            return 4;
        }
        return 8;
    }
}
