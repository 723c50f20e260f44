package dev.qf2.train;

import dev.qf2.text.Exchange;
import dev.qf2.text.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training and validation rows read from messages JSONL files and tokenized in the plain prompt format.
 *
 * @param train the rows the optimizer sees
 * @param validation the rows the validation loss is measured on
 */
public record TrainingData(List<TrainingExample> train, List<TrainingExample> validation) {

    /** Tokenizes every row of the files, in file order. */
    public static List<TrainingExample> read(List<Path> files, Tokenizer tokenizer, int maxLength) {
        List<Exchange> exchanges = new ArrayList<>();
        for (Path file : files) {
            exchanges.addAll(Exchange.readJsonl(file));
        }
        List<int[]> texts = tokenizer.encodeAll(exchanges.stream().map(TrainingExample::text).toList());
        List<int[]> prompts = tokenizer.encodeAll(exchanges.stream().map(TrainingExample::prompt).toList());
        List<TrainingExample> rows = new ArrayList<>(exchanges.size());
        for (int i = 0; i < exchanges.size(); i++) {
            rows.add(TrainingExample.of(texts.get(i), prompts.get(i), exchanges.get(i), maxLength));
        }
        return rows;
    }

    /**
     * Sets aside a seeded random sample of rows for validation when no validation file is given.
     *
     * @param count rows to set aside, at most half the rows
     */
    public static TrainingData holdOut(List<TrainingExample> rows, int count, long seed) {
        int n = Math.min(count, rows.size() / 2);
        int[] order = new int[rows.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] held = new boolean[rows.size()];
        List<TrainingExample> validation = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            held[order[i]] = true;
            validation.add(rows.get(order[i]));
        }
        List<TrainingExample> train = new ArrayList<>(rows.size() - n);
        for (int i = 0; i < rows.size(); i++) {
            if (!held[i]) {
                train.add(rows.get(i));
            }
        }
        return new TrainingData(train, validation);
    }
}
