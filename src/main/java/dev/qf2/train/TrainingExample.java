package dev.qf2.train;

import dev.qf2.Qf2Exception;
import dev.qf2.text.Exchange;
import dev.qf2.text.Message;
import dev.qf2.text.PlainPrompt;
import dev.qf2.text.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * One training row in the plain prompt format, tokenized: {@code system: …\nuser: …\nassistant: …\n}. The system
 * line is always written, empty when the row has none, as the prompt of a question without a fact is.
 *
 * @param ids the row's token ids, at most the maximum length
 * @param answerStart index of the first token of the answer part ({@code assistant: …}); equal to the length when
 *     truncation cut the answer off
 */
public record TrainingExample(int[] ids, int answerStart) {

    public TrainingExample {
        if (ids.length < 2) {
            throw new IllegalArgumentException("a training row needs at least two tokens, got " + ids.length);
        }
        if (answerStart < 0 || answerStart > ids.length) {
            throw new IllegalArgumentException("answer start " + answerStart + " outside a row of " + ids.length);
        }
    }

    /**
     * Renders and tokenizes a row, keeping its first {@code maxLength} tokens as the reference's tokenizer call
     * with truncation does.
     *
     * @throws Qf2Exception if the prompt's tokens are not a prefix of the row's (the answer would then be
     *     misplaced)
     */
    public static TrainingExample of(Tokenizer tokenizer, Exchange row, int maxLength) {
        return of(tokenizer.encode(text(row)), tokenizer.encode(prompt(row)), row, maxLength);
    }

    /**
     * Builds a row from its tokens, as {@link #of(Tokenizer, Exchange, int)} does.
     *
     * @param all the tokens of {@link #text(Exchange)}
     * @param promptIds the tokens of {@link #prompt(Exchange)}
     */
    public static TrainingExample of(int[] all, int[] promptIds, Exchange row, int maxLength) {
        if (all.length < promptIds.length
                || !Arrays.equals(Arrays.copyOf(all, promptIds.length), promptIds)) {
            throw new Qf2Exception("the tokens of the row \"" + text(row).replace("\n", "\\n") + "\" do not start "
                    + "with those of its prompt: the tokenizer merges across the line break");
        }
        int[] ids = all.length > maxLength ? Arrays.copyOf(all, maxLength) : all;
        return new TrainingExample(ids, Math.min(promptIds.length, ids.length));
    }

    /** The whole row as the model reads it in training: {@code system: …\nuser: …\nassistant: …\n}. */
    public static String text(Exchange row) {
        return PlainPrompt.renderTrainingRow(List.of(Message.system(row.system()), Message.user(row.user()),
                Message.assistant(row.assistant())));
    }

    /** The row's prompt, the part before the answer. */
    public static String prompt(Exchange row) {
        return PlainPrompt.render(row.system(), row.user());
    }

    /** Number of tokens. */
    public int length() {
        return ids.length;
    }
}
