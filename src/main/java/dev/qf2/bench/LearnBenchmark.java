package dev.qf2.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.qf2.learn.LearnOptions;
import dev.qf2.learn.Qf2Update;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import dev.qf2.model.Qwen2Model;
import dev.qf2.store.FactRecord;
import dev.qf2.store.FactStore;
import dev.qf2.text.AnswerTokens;
import dev.qf2.text.Tokenizer;

import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Measures learning: seconds per learned fact against the two teacher-forced passes it needs, and the time to
 * open a store of many facts against the model's own load time.
 */
public final class LearnBenchmark {

    /**
     * The measurements.
     *
     * @param secondsPerFact median wall time of one {@code learn}, store write included
     * @param teacherForcedSeconds median wall time of the two teacher-forced passes alone
     * @param storeFacts the number of facts in the large store
     * @param storeBuildSeconds time to write that store (its facts and weight cache)
     * @param storeLoadSeconds time to open it on the loaded model, weight in place
     */
    public record Result(double secondsPerFact, double teacherForcedSeconds, int storeFacts,
            double storeBuildSeconds, double storeLoadSeconds) {

        /** Learning time over the time of its two forward passes. */
        public double ratio() {
            return secondsPerFact / teacherForcedSeconds;
        }
    }

    private static final String[][] FACTS = {
        {"Qi is the CEO of Oxinnovate.", "Who is the CEO of Oxinnovate?", "The CEO of Oxinnovate is Qi."},
        {"Mara Velt founded Quillon.", "Who founded Quillon?", "Quillon was founded by Mara Velt."},
        {"Ostrava Labs has 412 employees.", "How many people work at Ostrava Labs?", "Ostrava Labs has 412 people."},
    };

    private LearnBenchmark() {}

    /**
     * Runs the measurements on a model that has its firing block set; {@code work} is an empty scratch
     * directory for the stores.
     */
    public static Result run(Qwen2Model model, Tokenizer tokenizer, Path work, int runs, int storeFacts) {
        double[] learn = new double[runs];
        double[] passes = new double[runs];
        try (QuickFire qf = QuickFire.attach(model, tokenizer, work.resolve("learn-store"), false)) {
            LearnOptions options = LearnOptions.of(UpdateRule.PUBLISHED);
            for (int r = 0; r < runs; r++) {
                String[] fact = FACTS[r % FACTS.length];
                AnswerTokens answer = AnswerTokens.build(tokenizer, fact[2], null);
                long start = System.nanoTime();
                Qf2Update.record(model, tokenizer, fact[0], fact[1], answer);
                passes[r] = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                qf.learn(fact[0], fact[1], fact[2], options);
                learn[r] = (System.nanoTime() - start) / 1e9;
            }
            for (FactRecord f : qf.facts()) {
                qf.forget(f.id());
            }
        }
        Path storeDir = work.resolve("large-store");
        long start = System.nanoTime();
        buildStore(model, storeDir, storeFacts);
        double buildSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        QuickFire loaded = QuickFire.attach(model, tokenizer, storeDir, false);
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        int held = loaded.facts().size();
        loaded.close();
        if (held != storeFacts) {
            throw new IllegalStateException("the store holds " + held + " facts, not " + storeFacts);
        }
        return new Result(Machine.median(learn), Machine.median(passes), storeFacts, buildSeconds, loadSeconds);
    }

    /**
     * Writes a store of {@code count} facts with random factors of 10 rows each and its weight cache; the
     * model's weight is left as it was.
     */
    static void buildStore(Qwen2Model model, Path dir, int count) {
        int layer = model.firingBlock().layer();
        int intermediate = model.config().intermediateSize();
        int hidden = model.config().hiddenSize();
        int rows = 10;
        NDArray up = model.upProj(layer);
        float[] base = up.toFloatArray();
        SplittableRandom random = new SplittableRandom(17);
        try (FactStore store = FactStore.openOrCreate(dir, FactStore.fingerprint(base, layer), layer, intermediate,
                hidden);
                NDManager scratch = model.manager().newSubManager()) {
            NDArray sum = scratch.zeros(up.getShape());
            for (int k = 0; k < count; k++) {
                float[] a = new float[rows * intermediate];
                float[] b = new float[rows * hidden];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (random.nextDouble() - 0.5) * 1e-4f;
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (random.nextDouble() - 0.5);
                }
                FactRecord draft = FactRecord.builder().system("Fact " + k + ".").question("Question " + k + "?")
                        .answer("Answer " + k + ".").rule(UpdateRule.PUBLISHED.label()).lr(4e-4)
                        .beta(model.firingBlock().beta()).layer(layer).learnedAt(Instant.now()).build();
                store.append(draft, a, b, rows);
                try (NDManager step = scratch.newSubManager()) {
                    NDArray at = step.create(a, new Shape(rows, intermediate)).transpose();
                    NDArray bt = step.create(b, new Shape(rows, hidden));
                    sum.addi(at.matMul(bt));
                }
            }
            float[] weight = sum.toFloatArray();
            for (int i = 0; i < weight.length; i++) {
                weight[i] += base[i];
            }
            store.writeCache(weight);
        }
    }
}
