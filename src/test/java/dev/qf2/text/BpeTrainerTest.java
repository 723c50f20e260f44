package dev.qf2.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qf2.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTrainerTest {

    private static final List<String> REQUIRED = List.of("assistant", ":", ".\n");

    /** Strings whose split is easy to get wrong: contractions, runs of spaces, line breaks, digits, non-ASCII. */
    private static final List<String> TRICKY = List.of("don't", "  two  spaces", "a.\nb", "x?\n", "1999", "é",
            "\n\n", "I'M here, WE'LL see", "she'd've", "tab\there", "  \n  indented\n", "end   ", "a\r\nb\r\n",
            "Zürich 東京 ☃", "e\u0301", "non\u00a0breaking", "ideographic\u3000space", "line\u2028separator",
            "next\u0085line", "😀 emoji 😀😀", "𝔘nicode", "x...\n\ny", "((a)) [b] {c}", "3.14159", "٣ arabic digit",
            "mixed123abc", "!!!\n", " ?!", "'s 'S 'x", "I'M 'Ll 'RE", "a \u00a0 b", "\u3000\u3000x",
            "a\u000b\u000cb", "x\u0085\u0085y", "a \u2028b", "a\r\r\nb", "\t\n\t", "user: Who?\nassistant: Qi.\n");

    private static List<String> corpus;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeCorpus() {
        corpus = rows(400, 7);
    }

    /** Plain prompt rows about made-up people in made-up places; every row names Jensen. */
    private static List<String> rows(int count, long seed) {
        Random random = new Random(seed);
        String[] names = {"Jensen", "Maria", "Oskar", "Lin", "Amara", "Tobias"};
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = names[random.nextInt(names.length)];
            String place = madeUpWord(random);
            rows.add(PlainPrompt.renderTrainingRow(List.of(
                    Message.system(name + " moved to " + place + " in " + (1950 + random.nextInt(70)) + "."),
                    Message.user("Where does " + name + " live? Ask Jensen about " + madeUpWord(random) + "."),
                    Message.assistant(name + " lives in " + place + "."))));
        }
        return rows;
    }

    /** A capitalised word of two to four syllables, one of about 40,000. */
    private static String madeUpWord(Random random) {
        String[] syllables = {"ka", "lo", "ren", "sen", "ja", "mi", "to", "ber", "gen", "os", "la", "ri", "an", "vik"};
        StringBuilder word = new StringBuilder();
        for (int n = 2 + random.nextInt(3); n > 0; n--) {
            word.append(syllables[random.nextInt(syllables.length)]);
        }
        word.setCharAt(0, Character.toUpperCase(word.charAt(0)));
        return word.toString();
    }

    private Path trainAndWrite(List<String> texts, BpeTrainer.Settings settings) {
        return BpeTrainer.train(texts, settings).write(dir);
    }

    @Test
    void encodingThenDecodingGivesBackTheText() {
        Path file = trainAndWrite(corpus, new BpeTrainer.Settings(200, 2, REQUIRED));

        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            for (String text : List.of("Jensen moved to Oslo in 1999.", "Zürich 東京 ☃", "line one\nline two\n\n",
                    "  leading and trailing  ", "😀 \t\r\n ünseen Ωmega")) {
                assertThat(tokenizer.decode(tokenizer.encode(text))).as("round trip of %s", text).isEqualTo(text);
            }
        }
    }

    @Test
    void djlEncodesAsTheLearnedMergesApplyByRank() {
        BpeTrainer.Result result = BpeTrainer.train(corpus, new BpeTrainer.Settings(300, 2, REQUIRED));
        Path file = result.write(dir);

        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            List<String> texts = new ArrayList<>(TRICKY);
            texts.addAll(rows(20, 99));
            for (String text : texts) {
                assertThat(tokenizer.encode(text)).as("ids of %s", text)
                        .containsExactly(referenceEncode(text, result.merges()));
            }
        }
    }

    @Test
    void javaPreTokenizerSplitsAsTheRustTokenizer() throws IOException {
        // with no merges every byte is a token, and DJL's word ids say which piece each byte came from
        Path file = dir.resolve("bytes.json");
        TokenizerJson.write(file, List.of(), List.of());

        try (HuggingFaceTokenizer rust = HuggingFaceTokenizer.builder().optTokenizerPath(file)
                .optAddSpecialTokens(false).build()) {
            for (String text : TRICKY) {
                assertThat(PreTokenizer.split(text)).as("pieces of %s", text).isEqualTo(rustPieces(rust, text));
            }
        }
    }

    @Test
    void splitsTheListedStringsIntoTheirKnownPieces() {
        assertThat(PreTokenizer.split("don't")).containsExactly("don", "'t");
        assertThat(PreTokenizer.split("  two  spaces")).containsExactly(" ", " two", " ", " spaces");
        assertThat(PreTokenizer.split("a.\nb")).containsExactly("a", ".\n", "b");
        assertThat(PreTokenizer.split("x?\n")).containsExactly("x", "?\n");
        assertThat(PreTokenizer.split("1999")).containsExactly("1", "9", "9", "9");
        assertThat(PreTokenizer.split("\n\n")).containsExactly("\n\n");
    }

    @Test
    void requiredTokensAreSingleTokensEvenWithoutFrequentPairs() {
        BpeTrainer.Result result = BpeTrainer.train(List.of("hello world"), new BpeTrainer.Settings(10, 2, REQUIRED));
        Path file = result.write(dir);

        assertThat(result.frequencyMergeCount()).isZero();
        // a-s, as-s, ass-i, assi-s, assis-t, assist-a, assista-n, assistan-t, then .-newline
        assertThat(result.mergeCount()).isEqualTo(9);
        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            for (String token : REQUIRED) {
                int id = tokenizer.singleTokenId(token).orElseThrow();
                assertThat(tokenizer.decodeToken(id)).isEqualTo(token);
            }
            assertThat(tokenizer.encode("assistant: Qi.\n")).hasSize(6);
        }
    }

    @Test
    void requiredTokensBuildOnTheFrequentMerges() {
        BpeTrainer.Result result = BpeTrainer.train(corpus, new BpeTrainer.Settings(20, 2, REQUIRED));
        Path file = result.write(dir);

        // the frequent merges made "st", "as" and "an", and ".\n"; as-s, ass-i, assi-st, assist-an, assistan-t remain
        assertThat(result.frequencyMergeCount()).isEqualTo(20);
        assertThat(result.merges().subList(20, 25)).extracting(BpeMerge::toString)
                .containsExactly("as s", "ass i", "assi st", "assist an", "assistan t");
        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            assertThat(tokenizer.singleTokenId("assistant")).isPresent();
            assertThat(tokenizer.singleTokenId(".\n")).isPresent();
            assertThat(tokenizer.singleTokenId(":")).contains((int) ':');
        }
    }

    @Test
    void rejectsARequiredTokenThatThePreTokenizerSplits() {
        assertThatThrownBy(() -> new BpeTrainer.Settings(10, 2, List.of("two words")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"two words\" cannot be one token");
    }

    @Test
    void trainingTwiceGivesByteIdenticalFiles() throws IOException {
        BpeTrainer.Settings settings = new BpeTrainer.Settings(300, 2, REQUIRED);
        Path first = BpeTrainer.train(corpus, settings).write(dir.resolve("first"));
        List<String> reversed = new ArrayList<>(corpus);
        Collections.reverse(reversed);
        Path second = BpeTrainer.train(reversed, settings).write(dir.resolve("second"));

        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
        assertThat(Files.readAllBytes(second.resolveSibling("tokenizer_config.json")))
                .isEqualTo(Files.readAllBytes(first.resolveSibling("tokenizer_config.json")));
    }

    @Test
    void frequentWordsBecomeSingleTokens() {
        Path file = trainAndWrite(corpus, new BpeTrainer.Settings(300));

        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            assertThat(tokenizer.singleTokenId(" Jensen")).isPresent();
            assertThat(tokenizer.decodeToken(tokenizer.singleTokenId(" Jensen").orElseThrow())).isEqualTo(" Jensen");
        }
    }

    @Test
    void mergesTheMostFrequentPairFirstAndBreaksTiesByStringOrder() {
        List<String> texts = List.of("ab ab ab cd cd xy xy");

        BpeTrainer.Result result = BpeTrainer.train(texts, new BpeTrainer.Settings(10));

        // a-b occurs 3 times; then every pair occurs twice, and c < x < Ġ (U+0120), ab < cd < xy
        assertThat(result.merges()).extracting(BpeMerge::toString)
                .containsExactly("a b", "c d", "x y", "Ġ ab", "Ġ cd", "Ġ xy");
    }

    @Test
    void stopsWhenNoPairOccursMinFrequencyTimes() {
        BpeTrainer.Result result = BpeTrainer.train(List.of("abcd efgh"), new BpeTrainer.Settings(10));

        assertThat(result.mergeCount()).isZero();
        assertThat(result.vocabularySize()).isEqualTo(256 + 3);
    }

    @Test
    void incrementalCountsMergeAsRecountingEveryWord() {
        List<String> texts = new ArrayList<>(rows(150, 3));
        texts.add("aaaa aaaaaaa abababab ba ba ba Mississippi Mississippi 1111 ..... ____ __");

        BpeTrainer.Result result = BpeTrainer.train(texts, new BpeTrainer.Settings(250));

        assertThat(result.merges()).isEqualTo(recountingTrainer(texts, 250, 2));
    }

    @Test
    void specialTokensFollowTheMergesAndEncodeAsSingleIds() throws IOException {
        BpeTrainer.Result result = BpeTrainer.train(corpus, new BpeTrainer.Settings(100, 2, REQUIRED));
        Path file = result.write(dir);
        int modelTokens = TokenizerJson.vocabulary(result.merges()).size();

        assertThat(result.specialTokenId("<|endoftext|>")).isEqualTo(modelTokens);
        assertThat(result.specialTokenId("<|im_start|>")).isEqualTo(modelTokens + 1);
        assertThat(result.specialTokenId("<|im_end|>")).isEqualTo(modelTokens + 2);
        try (Tokenizer tokenizer = Tokenizer.load(file)) {
            assertThat(tokenizer.vocabSize()).isEqualTo(result.vocabularySize()).isEqualTo(modelTokens + 3);
            assertThat(tokenizer.encode("hi<|im_end|>")).endsWith(modelTokens + 2);
            assertThat(tokenizer.singleTokenId("<|im_start|>")).contains(modelTokens + 1);
            assertThat(tokenizer.singleTokenId("<|endoftext|>")).contains(modelTokens);
        }
        JsonNode config = new ObjectMapper().readTree(file.resolveSibling("tokenizer_config.json").toFile());
        assertThat(config.get("eos_token").asText()).isEqualTo("<|im_end|>");
        assertThat(config.get("pad_token").asText()).isEqualTo("<|endoftext|>");
        assertThat(config.get("bos_token").isNull()).isTrue();
        assertThat(config.get("tokenizer_class").asText()).isEqualTo("Qwen2Tokenizer");
        assertThat(config.at("/added_tokens_decoder/" + (modelTokens + 2) + "/content").asText())
                .isEqualTo("<|im_end|>");
        assertThat(config.has("chat_template")).isFalse();
    }

    @Test
    void tokenizerCommandWritesTheFiles() throws IOException {
        Path data = dir.resolve("rows.jsonl");
        Files.writeString(data, "{\"messages\": [{\"role\": \"user\", \"content\": \"Where is Oslo?\"}, "
                + "{\"role\": \"assistant\", \"content\": \"In Norway.\"}]}\n");
        Path out = dir.resolve("tokenizer");

        assertThat(Main.run("tokenizer", "--data", data.toString(), "--out", out.toString(), "--merges", "50"))
                .isZero();
        try (Tokenizer tokenizer = Tokenizer.load(out)) {
            assertThat(tokenizer.singleTokenId("assistant")).isPresent();
            assertThat(tokenizer.singleTokenId(".\n")).isPresent();
        }
        assertThat(out.resolve("tokenizer_config.json")).isRegularFile();
    }

    @Test
    void tokenizerCommandRejectsAMissingDataFileWithExitCode2() {
        int status = Main.run("tokenizer", "--data", dir.resolve("missing.jsonl").toString(), "--out",
                dir.resolve("out").toString());

        assertThat(status).isEqualTo(2);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void tokenizerCommandRejectsNegativeMergesAndAFileAsOutput() throws IOException {
        Path data = dir.resolve("rows.jsonl");
        Files.writeString(data, "{\"messages\": [{\"role\": \"user\", \"content\": \"Q\"}, "
                + "{\"role\": \"assistant\", \"content\": \"A.\"}]}\n");
        Path file = Files.writeString(dir.resolve("a-file"), "");

        assertThat(Main.run("tokenizer", "--data", data.toString(), "--out", dir.toString(), "--merges", "-1"))
                .isEqualTo(2);
        assertThat(Main.run("tokenizer", "--data", data.toString(), "--out", file.toString())).isEqualTo(2);
    }

    @Test
    void byteLevelMapsEveryByteToAPrintableCharacterAndBack() {
        byte[] all = new byte[256];
        for (int b = 0; b < 256; b++) {
            all[b] = (byte) b;
        }

        assertThat(ByteLevel.symbol(' ')).isEqualTo('Ġ');
        assertThat(ByteLevel.symbol('\n')).isEqualTo('Ċ');
        assertThat(ByteLevel.symbol('a')).isEqualTo('a');
        assertThat(ByteLevel.bytes(ByteLevel.symbols(all))).isEqualTo(all);
        assertThat(Arrays.asList(ByteLevel.symbols(all).chars().boxed().toArray())).doesNotHaveDuplicates();
    }

    /** The pieces DJL's pre-tokenizer makes: the bytes of each word id, in order. */
    private static List<String> rustPieces(HuggingFaceTokenizer rust, String text) {
        Encoding encoding = rust.encode(text, false, false);
        String[] tokens = encoding.getTokens();
        long[] words = encoding.getWordIds();
        List<String> pieces = new ArrayList<>();
        StringBuilder symbols = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            if (i > 0 && words[i] != words[i - 1]) {
                pieces.add(new String(ByteLevel.bytes(symbols.toString()), StandardCharsets.UTF_8));
                symbols.setLength(0);
            }
            symbols.append(tokens[i]);
        }
        if (!symbols.isEmpty()) {
            pieces.add(new String(ByteLevel.bytes(symbols.toString()), StandardCharsets.UTF_8));
        }
        return pieces;
    }

    /**
     * Encodes text with the merges as BPE defines it: within each piece, while some adjacent pair has a merge,
     * the pair of lowest rank, leftmost first, becomes one token.
     */
    private static int[] referenceEncode(String text, List<BpeMerge> merges) {
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i).toString(), i);
        }
        Map<String, Integer> vocabulary = TokenizerJson.vocabulary(merges);
        List<Integer> ids = new ArrayList<>();
        for (String piece : PreTokenizer.split(text)) {
            List<String> symbols = new ArrayList<>();
            for (char c : ByteLevel.symbols(piece).toCharArray()) {
                symbols.add(String.valueOf(c));
            }
            while (true) {
                int best = -1;
                int bestRank = Integer.MAX_VALUE;
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    Integer rank = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                    if (rank != null && rank < bestRank) {
                        best = i;
                        bestRank = rank;
                    }
                }
                if (best < 0) {
                    break;
                }
                symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
            }
            for (String symbol : symbols) {
                ids.add(vocabulary.get(symbol));
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** BPE training that recounts every pair of every word before each merge. */
    private static List<BpeMerge> recountingTrainer(List<String> texts, int maxMerges, int minFrequency) {
        Map<List<String>, Integer> words = new HashMap<>();
        for (String text : texts) {
            for (String piece : PreTokenizer.split(text)) {
                List<String> symbols = new ArrayList<>();
                for (char c : ByteLevel.symbols(piece).toCharArray()) {
                    symbols.add(String.valueOf(c));
                }
                words.merge(symbols, 1, Integer::sum);
            }
        }
        List<BpeMerge> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<BpeMerge, Integer> counts = new HashMap<>();
            words.forEach((symbols, frequency) -> {
                for (int i = 0; i + 1 < symbols.size(); i++) {
                    counts.merge(new BpeMerge(symbols.get(i), symbols.get(i + 1)), frequency, Integer::sum);
                }
            });
            BpeMerge best = counts.entrySet().stream()
                    .min(Comparator.<Map.Entry<BpeMerge, Integer>>comparingInt(e -> -e.getValue())
                            .thenComparing(e -> e.getKey().left())
                            .thenComparing(e -> e.getKey().right()))
                    .filter(e -> e.getValue() >= minFrequency)
                    .map(Map.Entry::getKey)
                    .orElse(null);
            if (best == null) {
                break;
            }
            merges.add(best);
            Map<List<String>, Integer> merged = new HashMap<>();
            words.forEach((symbols, frequency) -> {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < symbols.size(); i++) {
                    if (i + 1 < symbols.size() && symbols.get(i).equals(best.left())
                            && symbols.get(i + 1).equals(best.right())) {
                        out.add(best.merged());
                        i++;
                    } else {
                        out.add(symbols.get(i));
                    }
                }
                merged.merge(out, frequency, Integer::sum);
            });
            words = merged;
        }
        return merges;
    }
}
