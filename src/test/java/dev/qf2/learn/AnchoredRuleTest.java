package dev.qf2.learn;

import static dev.qf2.testing.FloatArrays.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.model.FiringBlock;
import dev.qf2.testing.TinyModels;
import dev.qf2.text.Exchange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The anchored rule on a tiny random model: the anchors' first answer rows stay where they were. */
class AnchoredRuleTest {

    private static final List<Exchange> ANCHORS = List.of(
            new Exchange("", "Who leads Ef?", "No."),
            new Exchange("", "Who leads Gh?", "No."),
            new Exchange("", "Who runs Ij?", "No."));

    @TempDir
    Path dir;

    private ModelDirectory model;

    @BeforeEach
    void writeModel() {
        model = ModelDirectory.open(TinyModels.writeWithTokenizer(dir.resolve("model"), 5));
    }

    private QuickFire open(String store) {
        QuickFire qf = QuickFire.load(model, dir.resolve(store), FiringBlock.at(1, 10));
        List<int[]> text = List.of(qf.tokenizer().encode("system: Ab leads Cd.\nuser: Who leads Cd?\nassistant: Ab."),
                qf.tokenizer().encode("user: Who runs Kl?\nassistant: No.\nuser: Where is Mn?\nassistant: No."));
        qf.setStatistics(FiringInputStatistics.measure(qf.model(), text));
        return qf;
    }

    /** How far learning the fact with a rule moves the anchors' first-word pre-activations, at most. */
    private double anchorMovement(UpdateRule rule) {
        try (QuickFire qf = open("store-" + rule.label())) {
            qf.setAnchors(AnchorQuestions.of(ANCHORS));
            float[] before = firstWordPreActivations(qf);
            qf.learn("Ab leads Cd.", "Who leads Cd?", "Ab.", LearnOptions.of(rule, 8));
            float[] after = firstWordPreActivations(qf);
            double max = 0;
            for (int i = 0; i < before.length; i++) {
                max = Math.max(max, Math.abs(after[i] - before[i]));
            }
            return max;
        }
    }

    private static float[] firstWordPreActivations(QuickFire qf) {
        int intermediate = qf.model().config().intermediateSize();
        float[] all = new float[ANCHORS.size() * intermediate];
        for (int n = 0; n < ANCHORS.size(); n++) {
            dev.qf2.text.AnswerTokens answer = dev.qf2.text.AnswerTokens.build(qf.tokenizer(), "No.", null);
            TeacherForcedRun run = TeacherForcedRun.record(qf.model(), qf.tokenizer(), "", ANCHORS.get(n).user(),
                    answer);
            int first = 0;
            while (answer.rowSignificances()[first] == 0) {
                first++;
            }
            System.arraycopy(run.preActivation(), first * intermediate, all, n * intermediate, intermediate);
        }
        return all;
    }

    @Test
    void theAnchoredRuleHoldsTheAnchorsWhereTheWhitenedRuleMovesThem() {
        double whitened = anchorMovement(UpdateRule.WHITENED);
        double anchored = anchorMovement(UpdateRule.ANCHORED);

        System.out.printf("anchor rows moved: whitened %.3g, anchored %.3g%n", whitened, anchored);
        assertThat(whitened).isGreaterThan(1e-3);
        assertThat(anchored).isLessThan(whitened / 100);
    }

    @Test
    void theAnchoredRuleStillLearnsTheFact() {
        try (QuickFire qf = open("store")) {
            qf.setAnchors(AnchorQuestions.of(ANCHORS));
            QuickFire.Learned learned = qf.learn("Ab leads Cd.", "Who leads Cd?", "Ab.",
                    LearnOptions.of(UpdateRule.ANCHORED, 8));
            assertThat(learned.record().rule()).isEqualTo("anchored");
            assertThat(maxAbsDifference(qf.weight(), qf.model().upProj(1).toFloatArray())).isZero();
            qf.forget(learned.id());
            assertThat(qf.facts()).isEmpty();
        }
    }

    @Test
    void withoutAnchorsTheAnchoredRuleSaysWhatIsMissing() {
        try (QuickFire qf = open("store")) {
            assertThatThrownBy(() -> qf.learn("Ab leads Cd.", "Who leads Cd?", "Ab.",
                    LearnOptions.of(UpdateRule.ANCHORED, 8)))
                    .isInstanceOf(Qf2Exception.class)
                    .hasMessageContaining(AnchorQuestions.FILE_NAME)
                    .hasMessageContaining("--rule whitened");
            assertThat(qf.facts()).isEmpty();
        }
    }

    @Test
    void anAnchorFileBesideTheModelIsFoundAndAnEmptyOneIsRefused() throws Exception {
        Path file = dir.resolve("model").resolve(AnchorQuestions.FILE_NAME);
        Files.writeString(file, "{\"messages\":[{\"role\":\"user\",\"content\":\"Who leads Ef?\"},"
                + "{\"role\":\"assistant\",\"content\":\"No.\"}]}\n");
        assertThat(AnchorQuestions.find(dir.resolve("model"))).get()
                .extracting(a -> a.questions().get(0).user()).isEqualTo("Who leads Ef?");

        Files.writeString(file, "\n");
        assertThatThrownBy(() -> AnchorQuestions.find(dir.resolve("model")))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageContaining(file.toString());
    }

}
