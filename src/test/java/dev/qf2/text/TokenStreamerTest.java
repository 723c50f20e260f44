package dev.qf2.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenStreamerTest {

    private static final String MIXED = "Qwen2 tokenizer: 你好，世界！ café 🎉 é 😀👍🏽 done";

    @Test
    void reassemblesCjkAndEmojiSplitAcrossTokensExactly() {
        Tokenizer tokenizer = GoldenFiles.tokenizer();
        TokenStreamer streamer = new TokenStreamer(tokenizer);
        StringBuilder streamed = new StringBuilder();

        for (int id : tokenizer.encode(MIXED)) {
            streamed.append(streamer.accept(id));
        }
        streamed.append(streamer.finish());

        assertThat(streamed.toString()).isEqualTo(MIXED);
    }

    @Test
    void neverEmitsAReplacementCharacterForASplitCharacter() {
        Tokenizer tokenizer = GoldenFiles.tokenizer();
        TokenStreamer streamer = new TokenStreamer(tokenizer);
        List<String> pieces = new ArrayList<>();

        for (int id : tokenizer.encode(MIXED)) {
            pieces.add(streamer.accept(id));
        }

        assertThat(pieces).noneMatch(piece -> piece.contains("\uFFFD"));
    }

    @Test
    void holdsBackTheFirstBytesOfAnEmojiUntilItIsComplete() {
        // "🎉" is split by the Qwen2 vocabulary into 11162, 236, 231 (see the golden encode checks).
        TokenStreamer streamer = new TokenStreamer(GoldenFiles.tokenizer());

        assertThat(streamer.accept(11162)).isEmpty();
        assertThat(streamer.accept(236)).isEmpty();
        assertThat(streamer.accept(231)).isEqualTo(" 🎉");
    }

    @Test
    void finishReleasesAnIncompleteCharacterAsReplacement() {
        TokenStreamer streamer = new TokenStreamer(GoldenFiles.tokenizer());
        streamer.accept(11162);

        assertThat(streamer.finish()).endsWith("\uFFFD");
    }
}
