package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.text.BpeTrainer;
import dev.qf2.text.Exchange;
import dev.qf2.text.Message;
import dev.qf2.text.PlainPrompt;
import dev.qf2.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains a byte-level BPE tokenizer on training rows, the first step of a model trained from scratch. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Train a byte-level BPE tokenizer, split as Qwen2's, on messages JSONL rows rendered in the "
                + "plain prompt format, and write tokenizer.json and tokenizer_config.json for init.")
final class TokenizerCommand implements Callable<Integer> {

    /** Tokens the plain prompt format relies on: the answer's role, the colon after it, the line end. */
    private static final List<String> REQUIRED_TOKENS = List.of(Message.ASSISTANT, ":", ".\n");

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl",
            description = "training rows in the messages format; repeat for several files")
    List<Path> data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for the tokenizer files")
    Path out;

    @Option(names = "--merges", paramLabel = "N", defaultValue = "2000",
            description = "most merges learned from pair frequencies (default: ${DEFAULT-VALUE})")
    int merges;

    @Option(names = "--min-frequency", paramLabel = "N", defaultValue = "" + BpeTrainer.DEFAULT_MIN_FREQUENCY,
            description = "fewest occurrences of a pair for it to be merged (default: ${DEFAULT-VALUE})")
    int minFrequency;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        if (merges < 0) {
            throw new Qf2Exception("--merges must be at least 0, got " + merges);
        }
        if (minFrequency < 1) {
            throw new Qf2Exception("--min-frequency must be at least 1, got " + minFrequency);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new Qf2Exception("--out " + out + " is a file: give a directory for tokenizer.json and "
                    + "tokenizer_config.json");
        }
        List<String> texts = new ArrayList<>();
        for (Path file : data) {
            if (!Files.isRegularFile(file)) {
                throw new Qf2Exception("no data file " + file + ": give a messages JSONL file with --data");
            }
            for (Exchange row : Exchange.readJsonl(file)) {
                // the system line is always written, as in training
                texts.add(PlainPrompt.renderTrainingRow(List.of(Message.system(row.system()),
                        Message.user(row.user()), Message.assistant(row.assistant()))));
            }
        }
        if (texts.isEmpty()) {
            throw new Qf2Exception("no rows in " + data + ": give messages JSONL files with one "
                    + "{\"messages\": [...]} object per line");
        }

        BpeTrainer.Result trained = BpeTrainer.train(texts,
                new BpeTrainer.Settings(merges, minFrequency, REQUIRED_TOKENS));
        Path written = trained.write(out);

        // the file as the Rust tokenizer reads it must give each required token one id
        try (Tokenizer check = Tokenizer.load(written)) {
            for (String token : REQUIRED_TOKENS) {
                if (check.singleTokenId(token).isEmpty()) {
                    throw new IllegalStateException("\"" + token.replace("\n", "\\n") + "\" is not one token in "
                            + written);
                }
            }
        }
        spec.commandLine().getOut().printf("wrote %s: vocabulary %d, %d merges, %d rows, %.2f s%n", written,
                trained.vocabularySize(), trained.mergeCount(), texts.size(), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
