package dev.qf2.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qf2.Qf2Exception;
import org.junit.jupiter.api.Test;

class AnswerTokensTest {

    private static final String ROUND_1_ANSWER = "The CEO of Oxinnovate is Qi.";
    private static final double[] ROUND_1_SIGNIFICANCES = {1, 1, 1, 1, 1, 10};
    private static final String ROUND_2_ANSWER = "Oxinnovate has one people.";
    private static final double[] ROUND_2_SIGNIFICANCES = {1, 1, 20, 20};

    private static JsonNode round(int number) {
        return GoldenFiles.json().at("/protocol/rounds/" + (number - 1));
    }

    private static AnswerTokens buildRound(int number) {
        JsonNode round = round(number);
        return AnswerTokens.build(GoldenFiles.tokenizer(), round.get("assistant_content").asText(),
                GoldenFiles.doubles(round.get("qfsignificance_words")));
    }

    @Test
    void roundOneIdsAreTheTeacherForcedIdsOfBothCalls() {
        AnswerTokens answer = buildRound(1);

        assertThat(answer.ids())
                .containsExactly(GoldenFiles.ints(GoldenFiles.json().at("/protocol/calls/3/teacher_forced_ids")))
                .containsExactly(GoldenFiles.ints(GoldenFiles.json().at("/protocol/calls/4/teacher_forced_ids")))
                .containsExactly(77091, 25, 576, 12156, 315, 50615, 6130, 859, 349, 374, 56994, 624);
    }

    @Test
    void roundTwoIdsAreTheTeacherForcedIdsOfBothCalls() {
        AnswerTokens answer = buildRound(2);

        assertThat(answer.ids())
                .containsExactly(GoldenFiles.ints(GoldenFiles.json().at("/protocol/calls/8/teacher_forced_ids")))
                .containsExactly(GoldenFiles.ints(GoldenFiles.json().at("/protocol/calls/9/teacher_forced_ids")))
                .containsExactly(77091, 25, 50615, 6130, 859, 349, 702, 825, 1251, 624);
    }

    @Test
    void roundOneSignificancesMatchTheGoldens() {
        AnswerTokens answer = AnswerTokens.build(GoldenFiles.tokenizer(), ROUND_1_ANSWER, ROUND_1_SIGNIFICANCES);

        assertThat(answer.significances())
                .containsExactly(GoldenFiles.doubles(round(1).get("assistant_significances")));
        assertThat(answer.rowSignificances()).containsExactly(0, 1, 1, 1, 1, 1, 1, 1, 1, 10, 10)
                .containsExactly(GoldenFiles.doubles(round(1).get("sig_rows_used")));
    }

    @Test
    void roundTwoSignificancesMatchTheGoldens() {
        AnswerTokens answer = AnswerTokens.build(GoldenFiles.tokenizer(), ROUND_2_ANSWER, ROUND_2_SIGNIFICANCES);

        assertThat(answer.significances())
                .containsExactly(GoldenFiles.doubles(round(2).get("assistant_significances")));
        assertThat(answer.rowSignificances()).containsExactly(0, 1, 1, 1, 1, 1, 20, 20, 20)
                .containsExactly(GoldenFiles.doubles(round(2).get("sig_rows_used")));
    }

    @Test
    void rowsPairEachInputWithTheIdItPredicts() {
        for (int number = 1; number <= 2; number++) {
            AnswerTokens answer = buildRound(number);
            JsonNode round = round(number);

            assertThat(answer.rows()).isEqualTo(round.get("rows").intValue());
            assertThat(answer.rowInputIds()).containsExactly(GoldenFiles.ints(round.get("row_input_ids")));
            assertThat(answer.rowTargetIds()).containsExactly(GoldenFiles.ints(round.get("row_target_ids")));
        }
    }

    @Test
    void keepsTheWordsForDisplay() {
        assertThat(buildRound(2).words()).containsExactly("Oxinnovate", "has", "one", "people.");
    }

    @Test
    void givesEveryWordSignificanceOneByDefault() {
        AnswerTokens answer = AnswerTokens.build(GoldenFiles.tokenizer(), ROUND_2_ANSWER, null);

        assertThat(answer.significances()).containsExactly(0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void splitsAQuestionMarkIntoItsOwnTokenOfSignificanceZero() {
        // "?" alone is 30; " Oxinnovate" is 50615, 6130, 859, 349.
        AnswerTokens answer =
                AnswerTokens.build(GoldenFiles.tokenizer(), "Who founded Oxinnovate?", new double[] {1, 2, 3});

        assertThat(answer.ids()).containsExactly(77091, 25, 10479, 18047, 50615, 6130, 859, 349, 30, 624);
        assertThat(answer.significances()).containsExactly(0, 0, 1, 2, 3, 3, 3, 3, 0, 3);
    }

    @Test
    void splitsACommaInsideTheAnswerIntoItsOwnTokenOfSignificanceZero() {
        AnswerTokens answer = AnswerTokens.build(GoldenFiles.tokenizer(), "Yes, Qi.", new double[] {5, 7});

        assertThat(answer.ids()).containsExactly(77091, 25, 7414, 11, 56994, 624);
        assertThat(answer.significances()).containsExactly(0, 0, 5, 0, 7, 7);
    }

    @Test
    void leavesPunctuationInsideAWordAttached() {
        AnswerTokens answer = AnswerTokens.build(GoldenFiles.tokenizer(), "Qi's", null);

        assertThat(answer.ids()).containsExactly(77091, 25, 56994, 594, 624);
    }

    @Test
    void acceptsOneSignificancePerToken() {
        AnswerTokens answer = AnswerTokens.fromTokenSignificances(GoldenFiles.tokenizer(), ROUND_2_ANSWER,
                new double[] {0, 0, 0, 5, 1, 2, 3});

        assertThat(answer.ids()).containsExactly(77091, 25, 50615, 6130, 859, 349, 702, 825, 1251, 624);
        assertThat(answer.significances()).containsExactly(0, 0, 0, 0, 0, 5, 1, 2, 3, 3);
    }

    @Test
    void rejectsASignificanceCountThatDiffersFromTheWordCount() {
        Tokenizer tokenizer = GoldenFiles.tokenizer();

        assertThatThrownBy(() -> AnswerTokens.build(tokenizer, ROUND_1_ANSWER, new double[] {1, 10}))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("has 6 words but 2 significances were given");
    }

    @Test
    void rejectsATokenSignificanceCountThatDiffersFromTheTokenCount() {
        Tokenizer tokenizer = GoldenFiles.tokenizer();

        assertThatThrownBy(() -> AnswerTokens.fromTokenSignificances(tokenizer, ROUND_2_ANSWER, new double[] {1, 2}))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("has 7 tokens but 2 token significances were given");
    }

    @Test
    void rejectsAnEmptyAnswer() {
        Tokenizer tokenizer = GoldenFiles.tokenizer();

        assertThatThrownBy(() -> AnswerTokens.build(tokenizer, "  ", null))
                .isInstanceOf(Qf2Exception.class)
                .hasMessageContaining("the answer is empty");
    }
}
