package dev.qf2.store;

import java.time.Instant;
import java.util.SplittableRandom;

/** Facts with deterministic random factors, for store tests: fact k always has the same content. */
final class RandomFacts {

    static final int LAYER = 3;
    static final int INTERMEDIATE = 48;
    static final int HIDDEN = 16;

    private RandomFacts() {}

    static int rows(int k) {
        return 1 + k % 5;
    }

    static float[] a(int k) {
        return values(k * 2L, rows(k) * INTERMEDIATE, 1e-2);
    }

    static float[] b(int k) {
        return values(k * 2L + 1, rows(k) * HIDDEN, 1.0);
    }

    static FactRecord draft(int k) {
        return FactRecord.builder()
                .system("Fact number " + k + ".")
                .question("What is fact " + k + "?")
                .answer("It is " + k + ".")
                .significances(new double[] {1, 1, k})
                .rule("published")
                .lr(4e-4)
                .beta(10)
                .layer(LAYER)
                .learnedAt(Instant.ofEpochSecond(1_700_000_000L + k))
                .build();
    }

    /** The number k of a stored fact, read back from its system line. */
    static int numberOf(FactRecord fact) {
        String s = fact.system();
        return Integer.parseInt(s.substring("Fact number ".length(), s.length() - 1));
    }

    static FactRecord append(FactStore store, int k) {
        return store.append(draft(k), a(k), b(k), rows(k));
    }

    static float[] base() {
        return values(-1, INTERMEDIATE * HIDDEN, 0.1);
    }

    static FactStore open(java.nio.file.Path dir) {
        return FactStore.openOrCreate(dir, FactStore.fingerprint(base(), LAYER), LAYER, INTERMEDIATE, HIDDEN);
    }

    private static float[] values(long seed, int n, double scale) {
        SplittableRandom random = new SplittableRandom(seed * 7919 + 13);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return out;
    }
}
