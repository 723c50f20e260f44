package dev.qf2.store;

import java.nio.file.Path;

/**
 * A child process for the crash test: learns facts 0, 1, 2, ... (skipping those already stored) into a store,
 * announcing each on standard output before and after, and rewrites the weight cache every tenth fact, until
 * it is killed.
 */
public final class CrashingLearner {

    private CrashingLearner() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        try (FactStore store = RandomFacts.open(dir)) {
            int k = store.facts().stream().mapToInt(RandomFacts::numberOf).max().orElse(-1) + 1;
            System.out.println("ready");
            System.out.flush();
            while (true) {
                System.out.println("begin " + k);
                System.out.flush();
                String id = RandomFacts.append(store, k).id();
                System.out.println("done " + k + " " + id);
                System.out.flush();
                if (k % 10 == 9) {
                    store.writeCache(store.materialise(RandomFacts.base()));
                }
                k++;
            }
        }
    }
}
