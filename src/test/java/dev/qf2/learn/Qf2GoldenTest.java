package dev.qf2.learn;

import static dev.qf2.testing.FloatArrays.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.eval.Protocol;
import dev.qf2.model.FiringBlock;
import dev.qf2.store.Factors;
import dev.qf2.testing.Goldens;
import dev.qf2.text.AnswerTokens;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reference mode against what the reference code recorded on the golden tiny model: Y*, X', the updated
 * weights of both rounds, and every call of the eight-step protocol.
 */
class Qf2GoldenTest {

    private static final int INTERMEDIATE = 96;
    private static final int HIDDEN = 32;

    @TempDir
    static Path storeDir;

    private static QuickFire qf;

    @BeforeAll
    static void load() {
        ModelDirectory dir = ModelDirectory.open(Goldens.modelDir());
        qf = QuickFire.load(dir, storeDir, FiringBlock.at(23, 10));
    }

    @AfterAll
    static void close() {
        if (qf != null) {
            qf.close();
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static double maxRelative(float[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), 1e-12));
        }
        return max;
    }

    @Test
    void publishedRuleOnGoldenRecordingsReproducesReferenceWeightsOfBothRounds() {
        for (String round : new String[] {"r1", "r2"}) {
            float[] w = Goldens.f32("protocol." + round + ".W");
            double lr = round.equals("r1") ? 4e-4 : 1e-4;
            Factors f = Qf2Update.published(Goldens.f32("protocol." + round + ".ystar"),
                    Goldens.f32("protocol." + round + ".xprime"), Goldens.f64("protocol." + round + ".sig_rows"), lr,
                    INTERMEDIATE, HIDDEN);
            float[] updated = w.clone();
            f.addTo(updated, 1);
            assertThat(Goldens.report("W' " + round + " from golden Y*/X', max relative error",
                    maxRelative(updated, Goldens.f64("protocol." + round + ".W_prime_f64")))).as(round)
                    .isLessThan(1e-6);
        }
    }

    @Test
    void publishedFactorsSkipRowsOfSignificanceZero() {
        Factors f = Qf2Update.published(Goldens.f32("protocol.r1.ystar"), Goldens.f32("protocol.r1.xprime"),
                Goldens.f64("protocol.r1.sig_rows"), 4e-4, INTERMEDIATE, HIDDEN);
        assertThat(f.rows()).isEqualTo(10);
    }

    /** Runs the whole protocol once; the reference keeps each W' in place, and so does the store. */
    private static Protocol.Report protocol() {
        return Protocol.run(qf, Protocol.Subject.REFERENCE, UpdateRule.PUBLISHED, null, 16);
    }

    @Test
    void referenceModeReproducesRecordingsWeightsAndAllTwelveProtocolCalls() {
        JsonNode calls = Goldens.json().path("protocol").path("calls");
        float[] w0 = qf.weight();
        assertThat(maxAbsDifference(w0, Goldens.f32("protocol.W0"))).isZero();

        // Y* and X' of round 1, recorded on the unchanged model
        AnswerTokens answer1 = AnswerTokens.build(qf.tokenizer(), "The CEO of Oxinnovate is Qi.",
                new double[] {1, 1, 1, 1, 1, 10});
        Qf2Update.Recording r1 = Qf2Update.record(qf.model(), qf.tokenizer(), "Qi is the CEO of Oxinnovate.",
                "Who is the CEO of Oxinnovate?", answer1);
        assertThat(Goldens.report("Y* r1, max abs error",
                maxAbsDifference(r1.ystar(), Goldens.f32("protocol.r1.ystar")))).isLessThan(1e-3);
        assertThat(Goldens.report("X' r1, max abs error",
                maxAbsDifference(r1.xprime(), Goldens.f32("protocol.r1.xprime")))).isLessThan(1e-3);
        assertThat(r1.significance()).containsExactly(Goldens.f64("protocol.r1.sig_rows"));
        assertThat(r1.instruct().promptIds()).containsExactly(ints(calls.get(3).path("prompt_ids")));
        assertThat(r1.update().promptIds()).containsExactly(ints(calls.get(4).path("prompt_ids")));

        Protocol.Report report = protocol();
        List<Protocol.StepResult> steps = report.steps();
        int[] askCalls = {0, 1, 2, 5, 6, 7, 10, 11};
        for (int i = 0; i < steps.size(); i++) {
            JsonNode call = calls.get(askCalls[i]);
            assertThat(steps.get(i).promptIds()).as("call %d prompt", askCalls[i])
                    .containsExactly(ints(call.path("prompt_ids")));
            assertThat(steps.get(i).generatedIds()).as("call %d generated", askCalls[i])
                    .containsExactly(ints(call.path("generated_ids")));
        }
        assertThat(report.lessons()).extracting(Protocol.LessonResult::rows).containsExactly(10, 8);
        assertThat(Goldens.report("W' after both facts end to end, max abs error", maxAbsDifference(qf.weight(),
                Goldens.f32("protocol.r2.W_prime")))).isLessThan(1e-4);
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
