package dev.eventbus.chaos;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.function.Supplier;

import org.opentest4j.AssertionFailedError;

/**
 * Seeded random cases for the {@code *Properties} tests (plain JUnit, no property-testing library): each property
 * checks a fixed number of cases, each generated from its own seed drawn from a base seed. The base seed is the
 * system property {@code chaos.seed} (a long, or {@code random}), else {@link #DEFAULT_SEED}. Every failure names the
 * property, the case number, the case seed, the base seed and the sample; replay it with
 * {@code -Dtest=Class#method -Dchaos.seed=BASE} (all cases) or add {@code -Dchaos.case=N} (that case only).
 */
final class RandomCases {

    static final long DEFAULT_SEED = 20261128L;
    static final long BASE_SEED = baseSeed();
    private static final Integer ONLY_CASE = Integer.getInteger("chaos.case");

    private RandomCases() {
    }

    private static long baseSeed() {
        String property = System.getProperty("chaos.seed");
        if (property == null || property.isBlank()) {
            return DEFAULT_SEED;
        }
        if (property.equals("random")) {
            long seed = new SplittableRandom().nextLong();
            System.out.println("RandomCases base seed " + seed + " (replay: -Dchaos.seed=" + seed + ")");
            return seed;
        }
        return Long.parseLong(property.strip());
    }

    /** Makes one sample from a case's random source. */
    @FunctionalInterface
    interface Generator<T> {
        T next(Draw draw);
    }

    /** Checks one sample. */
    @FunctionalInterface
    interface Check<T> {
        void accept(T sample) throws Throwable;
    }

    /**
     * Checks {@code tries} samples (or only case {@code chaos.case} when set); a failure is rethrown as an
     * AssertionFailedError whose message starts with the property, case, seeds and sample.
     *
     * @return how many cases were checked
     */
    static <T> int forAll(String property, int tries, Generator<T> generator, Check<T> check) {
        SplittableRandom master = new SplittableRandom(BASE_SEED ^ (property.hashCode() * 0x9E3779B97F4A7C15L));
        int checked = 0;
        for (int i = 0; i < tries; i++) {
            long caseSeed = master.nextLong();
            if (ONLY_CASE != null && ONLY_CASE != i) {
                continue;
            }
            Object sample = "(not generated)";
            try {
                T value = generator.next(new Draw(new SplittableRandom(caseSeed), i));
                sample = value;
                check.accept(value);
            } catch (Throwable t) {
                String where = property + " failed at case " + i + " of " + tries + " (case seed " + caseSeed
                        + ", base seed " + BASE_SEED + "; replay: -Dchaos.seed=" + BASE_SEED + " -Dchaos.case=" + i
                        + ") with sample " + describe(sample) + ": ";
                if (t instanceof AssertionFailedError afe && afe.isExpectedDefined() && afe.isActualDefined()) {
                    throw new AssertionFailedError(where + afe.getMessage(), afe.getExpected().getValue(),
                            afe.getActual().getValue(), afe);
                }
                throw new AssertionFailedError(where + t, t);
            }
            checked++;
        }
        return checked;
    }

    /** The sample as text, byte arrays and nested collections included. */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            StringBuilder b = new StringBuilder("\"");
            s.codePoints().forEach(c -> {
                if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) && c != ' ') {
                    b.append(String.format("\\u%04x", c));
                } else {
                    b.appendCodePoint(c);
                }
            });
            return b.append('"').toString();
        }
        if (value instanceof Map<?, ?> m) {
            StringJoiner j = new StringJoiner(", ", m.getClass().getSimpleName() + "{", "}");
            m.forEach((k, v) -> j.add(describe(k) + "=" + describe(v)));
            return j.toString();
        }
        if (value instanceof Collection<?> c) {
            StringJoiner j = new StringJoiner(", ", "[", "]");
            c.forEach(e -> j.add(describe(e)));
            return j.toString();
        }
        if (value.getClass().isArray()) {
            StringJoiner j = new StringJoiner(", ", value.getClass().getComponentType().getSimpleName() + "[]{", "}");
            for (int i = 0; i < Array.getLength(value); i++) {
                j.add(describe(Array.get(value, i)));
            }
            return j.toString();
        }
        return value.toString();
    }

    /** One case's random source; {@code index} is the case number, used to take each edge value once first. */
    static final class Draw {

        /** Edge values of an int, taken first and then now and then. */
        static final List<Integer> INT_EDGES = List.of(Integer.MIN_VALUE, Integer.MIN_VALUE + 1, -11, -2, -1, 0, 1, 2,
                9, 10, 11, Integer.MAX_VALUE - 1, Integer.MAX_VALUE);

        final SplittableRandom random;
        final int index;

        Draw(SplittableRandom random, int index) {
            this.random = random;
            this.index = index;
        }

        /** Edge value number {@code index} while there is one, then now and then an edge, otherwise random. */
        <T> T withEdges(List<T> edges, Supplier<T> otherwise) {
            if (index < edges.size()) {
                return edges.get(index);
            }
            return edgeOrRandom(edges, otherwise);
        }

        /** One time in five an edge value, otherwise random. */
        <T> T edgeOrRandom(List<T> edges, Supplier<T> otherwise) {
            return random.nextInt(5) == 0 ? of(edges) : otherwise.get();
        }

        /** Any int: the edges first, then small, medium or any values. */
        int anyInt() {
            return withEdges(INT_EDGES, this::randomInt);
        }

        /** Any int, an edge one time in five (without taking each edge first). */
        int someInt() {
            return edgeOrRandom(INT_EDGES, this::randomInt);
        }

        private int randomInt() {
            return switch (random.nextInt(4)) {
                case 0 -> between(-20, 20);
                case 1 -> between(-100_000, 100_000);
                default -> random.nextInt();
            };
        }

        /** A uniform int in [min, max]. */
        int between(int min, int max) {
            return (int) between((long) min, (long) max);
        }

        /** A uniform long in [min, max]. */
        long between(long min, long max) {
            if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
                return random.nextLong();
            }
            return max < Long.MAX_VALUE ? random.nextLong(min, max + 1) : random.nextLong(min - 1, max) + 1;
        }

        boolean nextBoolean() {
            return random.nextBoolean();
        }

        /** One of the values, uniformly. */
        <T> T of(List<T> values) {
            return values.get(random.nextInt(values.size()));
        }

        /** An index into {@code weights}, chosen with those relative weights. */
        int weighted(int... weights) {
            int total = 0;
            for (int w : weights) {
                total += w;
            }
            int r = random.nextInt(total);
            for (int i = 0; i < weights.length; i++) {
                r -= weights[i];
                if (r < 0) {
                    return i;
                }
            }
            throw new AssertionError();
        }

        /** Any string up to {@code maxLength} chars: ASCII, whitespace, controls (NUL too) and any code point. */
        String anyString(int maxLength) {
            int length = between(0, maxLength);
            StringBuilder b = new StringBuilder();
            while (b.length() < length) {
                switch (weighted(8, 3, 1, 6, 1)) {
                    case 0 -> b.append((char) between(0x20, 0x7e));
                    case 1 -> b.append(" \t\n\r\u000B\f\u00A0\u2003\u3000".charAt(random.nextInt(9)));
                    case 2 -> b.append((char) between(0, 0x1f));
                    case 3 -> {
                        char c = (char) between(0x80, 0xffff);
                        b.append(Character.isSurrogate(c) ? 'x' : c);
                    }
                    default -> {
                        if (b.length() + 2 <= length) {
                            b.appendCodePoint(between(0x10000, Character.MAX_CODE_POINT));
                        } else {
                            b.append('y');
                        }
                    }
                }
            }
            return b.toString();
        }

        /** A string of {@code minLength} to {@code maxLength} chars, each one of {@code chars}. */
        String stringOf(String chars, int minLength, int maxLength) {
            int length = between(minLength, maxLength);
            StringBuilder b = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                b.append(chars.charAt(random.nextInt(chars.length())));
            }
            return b.toString();
        }

        /** Random bytes, {@code minLength} to {@code maxLength} of them. */
        byte[] bytes(int minLength, int maxLength) {
            byte[] b = new byte[between(minLength, maxLength)];
            random.nextBytes(b);
            return b;
        }

        /** Each of the values with probability 1/2, in order. */
        <T> List<T> subsetOf(List<T> values) {
            List<T> subset = new ArrayList<>();
            for (T v : values) {
                if (random.nextBoolean()) {
                    subset.add(v);
                }
            }
            return subset;
        }
    }
}
