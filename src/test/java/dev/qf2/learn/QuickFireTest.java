package dev.qf2.learn;

import static dev.qf2.testing.FloatArrays.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.model.FiringBlock;
import dev.qf2.store.Factors;
import dev.qf2.testing.TinyModels;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learning, forgetting and reopening on a tiny random model: what the weight is after each. */
class QuickFireTest {

    private static final String[] FACT_1 = {"Ab is the CEO of Cd.", "Who is the CEO of Cd?", "The CEO of Cd is Ab."};
    private static final String[] FACT_2 = {"Ef has two people.", "How many people in Ef?", "Ef has two people."};

    @TempDir
    Path dir;

    private ModelDirectory model;

    @BeforeEach
    void writeModel() {
        model = ModelDirectory.open(TinyModels.writeWithTokenizer(dir.resolve("model"), 3));
    }

    private QuickFire open(String store) {
        return QuickFire.load(model, dir.resolve(store), FiringBlock.at(1, 10));
    }

    private static QuickFire.Learned learn(QuickFire qf, String[] fact, UpdateRule rule) {
        return qf.learn(fact[0], fact[1], fact[2], LearnOptions.of(rule));
    }

    @Test
    void forgettingTheLastFactAndLearningItAgainGivesTheSameWeight() {
        for (UpdateRule rule : new UpdateRule[] {UpdateRule.PUBLISHED, UpdateRule.LEAST_SQUARES}) {
            try (QuickFire qf = open("store-" + rule.label())) {
                learn(qf, FACT_1, rule);
                QuickFire.Learned second = learn(qf, FACT_2, rule);
                float[] learned = qf.weight();

                qf.forget(second.id());
                learn(qf, FACT_2, rule);

                assertThat(maxAbsDifference(qf.weight(), learned)).as(rule.label()).isLessThan(1e-6);
                assertThat(maxAbsDifference(qf.weight(), qf.model().upProj(1).toFloatArray())).isZero();
            }
        }
    }

    @Test
    void forgettingEveryFactInAnyOrderRestoresTheBaseWeight() {
        try (QuickFire qf = open("store")) {
            float[] base = qf.weight();
            String first = learn(qf, FACT_1, UpdateRule.LEAST_SQUARES).id();
            String second = learn(qf, FACT_2, UpdateRule.LEAST_SQUARES).id();
            assertThat(maxAbsDifference(qf.weight(), base)).isGreaterThan(1e-3);

            qf.forget(first);
            qf.forget(second);

            assertThat(maxAbsDifference(qf.weight(), base)).isLessThan(1e-6);
        }
    }

    @Test
    void learnedFactsAreInTheWeightAfterReopening() {
        float[] learned;
        String answer;
        try (QuickFire qf = open("store")) {
            learn(qf, FACT_1, UpdateRule.LEAST_SQUARES);
            learned = qf.weight();
            answer = qf.ask(FACT_1[1]);
        }
        try (QuickFire qf = open("store")) {
            assertThat(qf.facts()).hasSize(1);
            assertThat(qf.weight()).containsExactly(learned);
            assertThat(qf.ask(FACT_1[1])).isEqualTo(answer);
        }
    }

    @Test
    void aSecondFactMovesTheFirstFactsAnswerRowsFarLessThanWithoutKeepingThem() {
        try (QuickFire qf = open("store")) {
            learn(qf, FACT_1, UpdateRule.LEAST_SQUARES);
            AnswerRows rows = AnswerRows.of(qf, FACT_1);
            float[] before = rows.preActivations(qf);
            Qf2Update.Recording second = Qf2Update.record(qf.model(), qf.tokenizer(), FACT_2[0], FACT_2[1],
                    dev.qf2.text.AnswerTokens.build(qf.tokenizer(), FACT_2[2], null));
            Factors unkept = Qf2Update.leastSquares(second, UpdateRule.LEAST_SQUARES.defaultStrength(), 10, null,
                    new float[0]);
            float[] weight = qf.weight();
            unkept.addTo(weight, 1);

            learn(qf, FACT_2, UpdateRule.LEAST_SQUARES);
            double kept = maxAbsDifference(rows.preActivations(qf), before);
            qf.model().setUpProj(1, qf.model().manager().create(weight, qf.model().upProj(1).getShape()));
            double without = maxAbsDifference(rows.preActivations(qf), before);

            // the tiny model has more answer rows than input dimensions, so the rows are kept nearly, not exactly
            assertThat(kept).isLessThan(1e-2);
            assertThat(without).isGreaterThan(10 * kept);
        }
    }

    /** The question-alone pass of a fact, forced along its answer. */
    private record AnswerRows(String question, dev.qf2.text.AnswerTokens answer) {

        static AnswerRows of(QuickFire qf, String[] fact) {
            return new AnswerRows(fact[1], dev.qf2.text.AnswerTokens.build(qf.tokenizer(), fact[2], null));
        }

        /** The pre-activations of the rows of non-zero significance: all but the first, which predicts ":". */
        float[] preActivations(QuickFire qf) {
            float[] all = TeacherForcedRun.record(qf.model(), qf.tokenizer(), "", question, answer).preActivation();
            int intermediate = all.length / answer.rows();
            return java.util.Arrays.copyOfRange(all, intermediate, all.length);
        }
    }

}
