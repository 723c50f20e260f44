package dev.qf2.learn;

import dev.qf2.Qf2Exception;
import dev.qf2.model.Qwen2Model;
import dev.qf2.text.AnswerTokens;
import dev.qf2.text.Exchange;
import dev.qf2.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Questions whose answers a new fact must leave alone, kept beside a checkpoint in {@value #FILE_NAME} (messages
 * JSONL: user = question, assistant = the answer the model gives now).
 *
 * <p>A fact changes the firing block wherever its input resembles the fact's question. For a question about one
 * company, that is every question of the same form about any company: learning "the CEO of Oxinnovate is Qi" also
 * makes the model name a CEO for companies it knows nothing about. The {@link UpdateRule#ANCHORED} rule holds the
 * block still at the row where the model chooses the first word of each anchor's answer, so that the update has to
 * tell the fact's subject apart from the anchors'.
 *
 * <p>The block input at the firing layer depends only on the layers below it and that layer's attention, which no
 * fact changes; the rows are therefore recorded once per model and reused for every fact.
 */
public final class AnchorQuestions {

    /** The file beside a checkpoint. */
    public static final String FILE_NAME = "qf_anchors.jsonl";

    private final List<Exchange> questions;

    private AnchorQuestions(List<Exchange> questions) {
        this.questions = List.copyOf(questions);
    }

    /** Anchors from a list of exchanges; the system lines are ignored. */
    public static AnchorQuestions of(List<Exchange> questions) {
        if (questions.isEmpty()) {
            throw new Qf2Exception("no anchor questions given: an anchor file needs at least one question");
        }
        return new AnchorQuestions(questions);
    }

    /**
     * Reads the anchors kept in a model directory, if it has them.
     *
     * @throws Qf2Exception naming the file and line of a row that is not an exchange
     */
    public static Optional<AnchorQuestions> find(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        return Files.isRegularFile(file) ? Optional.of(read(file)) : Optional.empty();
    }

    /**
     * Reads anchors from a messages JSONL file.
     *
     * @throws Qf2Exception if the file is unreadable, has a bad row, or holds no question
     */
    public static AnchorQuestions read(Path file) {
        List<Exchange> rows = Exchange.readJsonl(file);
        if (rows.isEmpty()) {
            throw new Qf2Exception(file + " holds no anchor question: write one {\"messages\": [...]} row per "
                    + "question");
        }
        return new AnchorQuestions(rows);
    }

    /** The questions and their answers. */
    public List<Exchange> questions() {
        return questions;
    }

    /** How many anchors there are. */
    public int size() {
        return questions.size();
    }

    /**
     * The firing block's input at the row that predicts the first word of each anchor's answer, with the question
     * alone in the prompt: (N, H) row-major, one row per anchor.
     */
    public float[] rows(Qwen2Model model, Tokenizer tokenizer) {
        int hidden = model.config().hiddenSize();
        float[] rows = new float[questions.size() * hidden];
        for (int n = 0; n < questions.size(); n++) {
            Exchange anchor = questions.get(n);
            AnswerTokens answer = AnswerTokens.build(tokenizer, anchor.assistant(), null);
            TeacherForcedRun run = TeacherForcedRun.record(model, tokenizer, "", anchor.user(), answer);
            int first = firstWordRow(answer.rowSignificances());
            System.arraycopy(run.blockInput(), first * hidden, rows, n * hidden, hidden);
        }
        return rows;
    }

    /** The first row with a non-zero significance: the one that predicts the answer's first word. */
    private static int firstWordRow(double[] significance) {
        for (int i = 0; i < significance.length; i++) {
            if (significance[i] != 0) {
                return i;
            }
        }
        throw new Qf2Exception("an anchor answer has no word: give each anchor question a non-empty answer");
    }
}
