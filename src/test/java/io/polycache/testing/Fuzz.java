package io.polycache.testing;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * What the property tests of the parsers facing the network share: the one seed they run with
 * in CI (so a failure reproduces), and mutations of valid inputs, which reach far deeper into a
 * parser than random bytes do.
 *
 * <p>The tries per property come from {@code jqwik.tries.default} in
 * {@code src/test/resources/junit-platform.properties} (a few seconds each); a longer run is
 * {@code mvn -o test -Dtest='*FuzzTest' -Djqwik.tries.default=200000}. Change {@link #SEED}
 * to explore other inputs.
 */
public final class Fuzz {
    public static final String SEED = "20202020";

    private Fuzz() {}

    /** {@code valid} with a few bytes flipped, cut short, with bytes inserted or removed. */
    public static Arbitrary<byte[]> mutationsOf(byte[] valid) {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, Math.max(0, valid.length - 1));
        Arbitrary<byte[]> flipped = Combinators.combine(position.list().ofMinSize(1).ofMaxSize(8),
                Arbitraries.bytes().list().ofMinSize(8).ofMaxSize(8)).as((where, what) -> {
                    byte[] copy = valid.clone();
                    for (int i = 0; i < where.size(); i++) {
                        copy[where.get(i)] ^= (byte) (what.get(i) | 1);
                    }
                    return copy;
                });
        Arbitrary<byte[]> truncated = position.map(n -> Arrays.copyOf(valid, n));
        Arbitrary<byte[]> inserted = Combinators.combine(position, Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                .as((at, extra) -> {
                    byte[] copy = new byte[valid.length + extra.length];
                    System.arraycopy(valid, 0, copy, 0, at);
                    System.arraycopy(extra, 0, copy, at, extra.length);
                    System.arraycopy(valid, at, copy, at + extra.length, valid.length - at);
                    return copy;
                });
        Arbitrary<byte[]> removed = Combinators.combine(position, Arbitraries.integers().between(1, 64)).as((at, n) -> {
            int end = Math.min(valid.length, at + n);
            byte[] copy = new byte[valid.length - (end - at)];
            System.arraycopy(valid, 0, copy, 0, at);
            System.arraycopy(valid, end, copy, at, valid.length - end);
            return copy;
        });
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, flipped), net.jqwik.api.Tuple.of(2, truncated),
                net.jqwik.api.Tuple.of(2, inserted), net.jqwik.api.Tuple.of(2, removed), net.jqwik.api.Tuple.of(1, random));
    }

    /** Text with the characters that matter to parsers: separators, dots, slashes, controls, non-ASCII. */
    public static Arbitrary<String> hostileText(int maxLength) {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMaxLength(maxLength),
                Arbitraries.strings().withChars("abcXYZ019._~-/\\:\0\r\n\t #%?*<>\"'").ofMaxLength(maxLength),
                Arbitraries.strings().all().ofMaxLength(maxLength));
    }
}
