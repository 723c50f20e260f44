package dev.qf2.eval;

import dev.qf2.model.Generator;
import dev.qf2.model.Qwen2Model;
import dev.qf2.text.Exchange;
import dev.qf2.text.PlainPrompt;
import dev.qf2.text.StopTokens;
import dev.qf2.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Greedy exact-match accuracy of a model's answers on labelled rows: the model reads each row's system line and
 * question in the plain prompt format, and its first answer line must equal the row's answer.
 */
public final class AnswerAccuracy {

    /** One row's outcome. */
    public record Outcome(String label, Exchange row, String answer, boolean correct) {}

    /** Outcomes per label, in the order labels first appear. */
    public record Report(Map<String, List<Outcome>> byLabel) {

        /** Correct answers of a label. */
        public int correct(String label) {
            return (int) byLabel.get(label).stream().filter(Outcome::correct).count();
        }

        /** Rows of a label. */
        public int total(String label) {
            return byLabel.get(label).size();
        }

        /** The fraction of correct answers of a label. */
        public double accuracy(String label) {
            return total(label) == 0 ? Double.NaN : correct(label) / (double) total(label);
        }

        /** The fraction of correct answers over every row. */
        public double overall() {
            long all = byLabel.values().stream().mapToLong(List::size).sum();
            long right = byLabel.values().stream().flatMap(List::stream).filter(Outcome::correct).count();
            return all == 0 ? Double.NaN : right / (double) all;
        }
    }

    private static final int BATCH = 32;
    private static final int MAX_NEW_TOKENS = 40;

    private AnswerAccuracy() {}

    /**
     * Answers every row, in batches, with the model's current weights and firing block.
     *
     * @param labels one label per row, e.g. what the row teaches
     */
    public static Report measure(Qwen2Model model, Tokenizer tokenizer, List<Exchange> rows, List<String> labels) {
        if (rows.size() != labels.size()) {
            throw new IllegalArgumentException(rows.size() + " rows but " + labels.size() + " labels");
        }
        Set<Integer> stops = Arrays.stream(StopTokens.forTokenizer(tokenizer)).boxed().collect(Collectors.toSet());
        Generator.Settings settings = Generator.Settings.greedy(MAX_NEW_TOKENS, stops);
        Generator generator = new Generator(model);
        Map<String, List<Outcome>> byLabel = new LinkedHashMap<>();
        for (int from = 0; from < rows.size(); from += BATCH) {
            List<Exchange> batch = rows.subList(from, Math.min(rows.size(), from + BATCH));
            List<int[]> prompts = new ArrayList<>();
            for (Exchange row : batch) {
                prompts.add(tokenizer.encode(PlainPrompt.render(row.system(), row.user())));
            }
            List<Generator.Result> results = generator.generate(prompts, settings, Generator.TokenListener.NONE);
            for (int i = 0; i < batch.size(); i++) {
                Exchange row = batch.get(i);
                String answer = PlainPrompt.extractAnswer(tokenizer.decode(results.get(i).generatedIds()));
                boolean correct = answer.equals(row.assistant().strip());
                byLabel.computeIfAbsent(labels.get(from + i), k -> new ArrayList<>())
                        .add(new Outcome(labels.get(from + i), row, answer, correct));
            }
        }
        return new Report(byLabel);
    }
}
