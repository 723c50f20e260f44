package dev.qf2.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that is learning facts at random moments (SIGKILL: no shutdown hooks, no flushing) and
 * checks after every kill that the store opens and holds exactly the facts whose {@code learn} returned,
 * plus at most the one in flight, each with its factors intact.
 */
class FactStoreCrashTest {

    private static final int KILLS = 24;

    /** What the learner announces: "begin K" before storing fact K, "done K ID" after. */
    private static final Pattern EVENT = Pattern.compile("\\b(begin|done) (\\d+)\\b");

    @TempDir
    Path dir;

    @Test
    void killingALearnerAtRandomMomentsLosesNoLearnedFactAndLeavesNoHalfEntry() throws Exception {
        Random random = new Random(20261203);
        Set<Integer> completed = new HashSet<>();
        int killedInFlight = 0;
        int killedBetween = 0;
        for (int round = 0; round < KILLS; round++) {
            Process child = new ProcessBuilder(javaBinary(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    CrashingLearner.class.getName(), dir.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            List<String> lines = new ArrayList<>();
            Thread reader = new Thread(() -> readLines(child, lines));
            reader.start();
            waitForReady(lines, child);
            Thread.sleep(random.nextInt(400));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join();

            Integer inFlight = null;
            synchronized (lines) {
                for (String line : lines) {
                    // The JVM may write a warning of its own on the same line, so the event is searched for.
                    Matcher event = EVENT.matcher(line);
                    while (event.find()) {
                        if (event.group(1).equals("begin")) {
                            inFlight = Integer.valueOf(event.group(2));
                        } else {
                            completed.add(Integer.valueOf(event.group(2)));
                            inFlight = null;
                        }
                    }
                }
            }
            try (FactStore store = RandomFacts.open(dir)) {
                assertThat(store.problems()).as("round %d", round).isEmpty();
                Set<Integer> stored = new HashSet<>();
                for (FactRecord fact : store.facts()) {
                    int k = RandomFacts.numberOf(fact);
                    assertThat(stored.add(k)).as("fact %d stored twice", k).isTrue();
                    Factors f = store.factors(fact.id());
                    assertThat(f.a()).containsExactly(RandomFacts.a(k));
                    assertThat(f.b()).containsExactly(RandomFacts.b(k));
                }
                assertThat(stored).as("round %d", round).containsAll(completed);
                Set<Integer> extra = new HashSet<>(stored);
                extra.removeAll(completed);
                if (inFlight != null) {
                    assertThat(extra).as("round %d", round).isSubsetOf(Set.of(inFlight));
                    killedInFlight++;
                } else {
                    assertThat(extra).as("round %d", round).isEmpty();
                    killedBetween++;
                }
                completed.addAll(extra);
                assertThat(store.loadOrMaterialise(RandomFacts.base()))
                        .containsExactly(store.materialise(RandomFacts.base()));
            }
        }
        System.out.printf("crash test: %d kills (%d during a learn, %d between), %d facts stored%n", KILLS,
                killedInFlight, killedBetween, completed.size());
        assertThat(completed).hasSizeGreaterThan(KILLS);
    }

    private static void readLines(Process child, List<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The child was killed: its output ends here.
        }
    }

    private static void waitForReady(List<String> lines, Process child) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (lines) {
            while (!lines.contains("ready")) {
                assertThat(child.isAlive()).as("the learner exited before it was ready").isTrue();
                assertThat(System.nanoTime()).as("the learner did not start").isLessThan(deadline);
                lines.wait(100);
            }
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
