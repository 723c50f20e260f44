package dev.qf2.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StopTokensTest {

    @Test
    void referenceStopIdsAreThoseOfTheGoldenProtocol() {
        int[] golden = GoldenFiles.ints(GoldenFiles.json().at("/protocol/eos_token_id"));

        assertThat(StopTokens.REFERENCE_STOP_IDS)
                .containsExactly(Arrays.stream(golden).boxed().toArray(Integer[]::new));
    }

    @Test
    void derivesTheReferenceStopIdsFromTheQwen2Tokenizer() {
        assertThat(StopTokens.forTokenizer(GoldenFiles.tokenizer())).containsExactly(151645, 198, 659, 624, 364);
    }

    @Test
    void referenceStopIdsDecodeToTheirTexts() {
        for (int i = 0; i < StopTokens.REFERENCE_STOP_IDS.size(); i++) {
            assertThat(GoldenFiles.tokenizer().decodeToken(StopTokens.REFERENCE_STOP_IDS.get(i)))
                    .isEqualTo(StopTokens.REFERENCE_STOP_TEXTS.get(i));
        }
    }

    @Test
    void recognisesStopIds() {
        int[] stopIds = {151645, 198, 659, 624, 364};

        assertThat(StopTokens.isStop(stopIds, 624)).isTrue();
        assertThat(StopTokens.isStop(stopIds, 13)).isFalse();
    }
}
