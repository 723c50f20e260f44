package dev.qf2.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.qf2.Qf2Exception;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's byte-level BPE tokenizer, read from its {@code tokenizer.json}.
 *
 * <p>Encoding adds no special tokens (no BOS, no EOS), never truncates and never pads: the ids are exactly those
 * of the text. Special-token strings that occur in the text, such as {@code <|im_end|>}, are recognised and
 * become their single ids, as Hugging Face tokenizers do. Decoding keeps special tokens.
 *
 * <p>Instances hold native memory: close them when done. Encoding and decoding may be called from several
 * threads.
 */
public final class Tokenizer implements AutoCloseable {

    private static final String FILE_NAME = "tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private volatile Map<String, Integer> vocabulary;

    private Tokenizer(HuggingFaceTokenizer tokenizer, Path file) {
        this.tokenizer = tokenizer;
        this.file = file;
    }

    /**
     * Loads a tokenizer.
     *
     * @param tokenizerJson the {@code tokenizer.json} file, or the checkpoint folder that holds it
     * @return the loaded tokenizer
     * @throws Qf2Exception if the file is missing, unreadable or not a valid tokenizer
     */
    public static Tokenizer load(Path tokenizerJson) {
        Path file = Files.isDirectory(tokenizerJson) ? tokenizerJson.resolve(FILE_NAME) : tokenizerJson;
        if (!Files.isRegularFile(file)) {
            throw unreadable(file, "no such file");
        }
        if (!Files.isReadable(file)) {
            throw unreadable(file, "permission denied");
        }
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            return new Tokenizer(tokenizer, file);
        } catch (IOException | RuntimeException e) {
            // The native library reports a malformed file as a RuntimeException with a multi-line message.
            throw unreadable(file, firstLine(e));
        }
    }

    private static Qf2Exception unreadable(Path file, String reason) {
        return new Qf2Exception("cannot read tokenizer " + file + ": " + reason
                + "; point to the tokenizer.json that ships with the checkpoint");
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }

    /** The {@code tokenizer.json} this tokenizer was read from. */
    public Path file() {
        return file;
    }

    /**
     * Encodes text without adding special tokens.
     *
     * @param text any text; special-token strings in it become their ids
     * @return the token ids, shape (tokens)
     */
    public int[] encode(String text) {
        return ints(encodeToLongs(text));
    }

    /**
     * Encodes text as {@link #encode(String)} does, as the {@code long} ids that DJL tensors take.
     *
     * @param text any text
     * @return the token ids, shape (tokens)
     */
    public long[] encodeToLongs(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /**
     * Encodes many texts as {@link #encode(String)} does, in one call that the native tokenizer spreads over the
     * cores: much faster than one call per text for a training set.
     *
     * @param texts any texts
     * @return the token ids of each text, in order
     */
    public List<int[]> encodeAll(List<String> texts) {
        List<int[]> all = new ArrayList<>(texts.size());
        int chunk = 4096;
        for (int from = 0; from < texts.size(); from += chunk) {
            Encoding[] encodings = tokenizer.batchEncode(texts.subList(from, Math.min(texts.size(), from + chunk)),
                    false, false);
            for (Encoding encoding : encodings) {
                all.add(ints(encoding.getIds()));
            }
        }
        return all;
    }

    /**
     * Decodes ids to text, special tokens included.
     *
     * @param ids token ids, shape (tokens)
     * @return the text; an incomplete UTF-8 sequence at either end becomes U+FFFD
     */
    public String decode(int[] ids) {
        long[] longIds = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longIds[i] = ids[i];
        }
        return tokenizer.decode(longIds, false);
    }

    /**
     * Decodes one token to its text.
     *
     * @param id a token id
     * @return the token's text; a token holding part of a multi-byte character decodes to U+FFFD
     */
    public String decodeToken(int id) {
        return decode(new int[] {id});
    }

    /**
     * Looks up a token by its exact vocabulary string, such as {@code <|im_end|>} or the byte-level form
     * {@code Ġ.} of " .".
     *
     * @param token the token as written in the vocabulary
     * @return its id, or empty if the vocabulary has no such token
     */
    public Optional<Integer> tokenId(String token) {
        return Optional.ofNullable(vocabulary().get(token));
    }

    /**
     * The id of text that encodes to exactly one token.
     *
     * @param text the text, encoded as {@link #encode(String)} does
     * @return the single id, or empty if the text encodes to no token or to several
     */
    public Optional<Integer> singleTokenId(String text) {
        int[] ids = encode(text);
        return ids.length == 1 ? Optional.of(ids[0]) : Optional.empty();
    }

    /**
     * The number of ids this tokenizer can produce: one more than its largest id, added tokens included.
     * A model's embedding table may have more rows than this.
     */
    public int vocabSize() {
        int largest = -1;
        for (int id : vocabulary().values()) {
            largest = Math.max(largest, id);
        }
        return largest + 1;
    }

    private Map<String, Integer> vocabulary() {
        Map<String, Integer> result = vocabulary;
        if (result == null) {
            synchronized (this) {
                result = vocabulary;
                if (result == null) {
                    result = readVocabulary(file);
                    vocabulary = result;
                }
            }
        }
        return result;
    }

    /** Reads {@code model.vocab} and {@code added_tokens} of a tokenizer.json without building a tree. */
    private static Map<String, Integer> readVocabulary(Path file) {
        Map<String, Integer> vocabulary = new HashMap<>(1 << 18);
        try (InputStream in = Files.newInputStream(file);
                JsonParser parser = new JsonFactory().createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw unreadable(file, "not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("model")) {
                    readModelVocabulary(parser, vocabulary);
                } else if (field.equals("added_tokens") && parser.currentToken() == JsonToken.START_ARRAY) {
                    readAddedTokens(parser, vocabulary);
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw unreadable(file, firstLine(e));
        }
        return vocabulary;
    }

    private static void readModelVocabulary(JsonParser parser, Map<String, Integer> vocabulary) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            if (field.equals("vocab") && parser.currentToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String token = parser.currentName();
                    parser.nextToken();
                    vocabulary.put(token, parser.getIntValue());
                }
            } else {
                parser.skipChildren();
            }
        }
    }

    private static void readAddedTokens(JsonParser parser, Map<String, Integer> vocabulary) throws IOException {
        while (parser.nextToken() == JsonToken.START_OBJECT) {
            Integer id = null;
            String content = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("id")) {
                    id = parser.getIntValue();
                } else if (field.equals("content")) {
                    content = parser.getText();
                } else {
                    parser.skipChildren();
                }
            }
            if (id != null && content != null) {
                vocabulary.put(content, id);
            }
        }
    }

    /** Releases the native tokenizer. */
    @Override
    public void close() {
        tokenizer.close();
    }

    private static int[] ints(long[] ids) {
        int[] result = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            result[i] = Math.toIntExact(ids[i]);
        }
        return result;
    }
}
