package dev.qf2.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.model.FiringBlock;
import dev.qf2.store.Factors;
import dev.qf2.testing.TinyModels;
import dev.qf2.text.AnswerTokens;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The focused rule on a tiny random model: rows the model already gets right are held, the others moved. */
class FocusedRuleTest {

    private static final String FACT = "Ab leads Cd.";
    private static final String QUESTION = "Who leads Cd?";
    private static final String ANSWER = "Ab leads Cd.";

    @TempDir
    Path dir;

    private QuickFire qf;

    @BeforeEach
    void open() {
        ModelDirectory model = ModelDirectory.open(TinyModels.writeWithTokenizer(dir.resolve("model"), 9));
        qf = QuickFire.load(model, dir.resolve("store"), FiringBlock.at(1, 10));
        qf.setStatistics(FiringInputStatistics.measure(qf.model(),
                List.of(qf.tokenizer().encode("system: Ab leads Cd.\nuser: Who leads Cd?\nassistant: Ab leads Cd."))));
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        qf.close();
    }

    /** How far a weight change moves the pre-activations of every unit at row {@code row} of the recording. */
    private static double movement(Factors factors, Qf2Update.Recording recording, int row) {
        int intermediate = factors.intermediate();
        int hidden = factors.hidden();
        float[] delta = new float[intermediate * hidden];
        factors.addTo(delta, 1);
        float[] x = recording.xprime();
        double max = 0;
        for (int u = 0; u < intermediate; u++) {
            double sum = 0;
            for (int c = 0; c < hidden; c++) {
                sum += delta[u * hidden + c] * x[row * hidden + c];
            }
            max = Math.max(max, Math.abs(sum));
        }
        return max;
    }

    @Test
    void settledRowsStayPutWhileTheOthersMoveAsTheWhitenedRuleMovesThem() {
        AnswerTokens tokens = AnswerTokens.build(qf.tokenizer(), ANSWER, null);
        Qf2Update.Recording recording = Qf2Update.record(qf.model(), qf.tokenizer(), FACT, QUESTION, tokens);
        double[] significance = recording.significance();
        boolean[] settled = new boolean[recording.rows()];
        int firstWord = 0;
        while (significance[firstWord] == 0) {
            firstWord++;
        }
        // hold the first two answer rows as if the model already predicted them
        settled[firstWord] = true;
        settled[firstWord + 1] = true;
        double[] metric = qf.statistics().orElseThrow().inverse();

        Factors focused = Qf2Update.leastSquares(recording, 8, 10, metric, new float[0], settled);
        Factors whitened = Qf2Update.leastSquares(recording, 8, 10, metric, new float[0]);

        double moved = movement(whitened, recording, firstWord);
        assertThat(moved).isGreaterThan(1e-2);
        assertThat(movement(focused, recording, firstWord)).isLessThan(moved / 100);
        assertThat(movement(focused, recording, firstWord + 1)).isLessThan(moved / 100);
        int last = recording.rows() - 1;
        assertThat(movement(focused, recording, last)).isGreaterThan(1e-2);
    }

    @Test
    void theModelsOwnPredictionsDecideWhichRowsAreSettled() {
        AnswerTokens tokens = AnswerTokens.build(qf.tokenizer(), ANSWER, null);
        int[] predicted = TeacherForcedRun.record(qf.model(), qf.tokenizer(), "", QUESTION, tokens, true).predicted();

        // each row on its own: the prompt and the answer up to the row's input, the argmax at the last position
        int[] prompt = qf.tokenizer().encode(dev.qf2.text.PlainPrompt.render("", QUESTION));
        int[] targets = tokens.rowTargetIds();
        assertThat(predicted).hasSize(targets.length);
        for (int row = 0; row < targets.length; row++) {
            try (ai.djl.ndarray.NDManager scratch = qf.model().manager().newSubManager()) {
                int[] sequence = java.util.Arrays.copyOf(prompt, prompt.length + row + 1);
                System.arraycopy(tokens.ids(), 0, sequence, prompt.length, row + 1);
                ai.djl.ndarray.NDArray logits = qf.model().forward(scratch, sequence,
                        dev.qf2.model.ForwardObserver.NONE);
                assertThat((int) logits.get(sequence.length - 1).argMax().getLong()).as("row " + row)
                        .isEqualTo(predicted[row]);
            }
        }

        QuickFire.Learned learned = qf.learn(FACT, QUESTION, ANSWER, LearnOptions.of(UpdateRule.FOCUSED, 8));
        assertThat(learned.record().rule()).isEqualTo("focused");
    }
}
