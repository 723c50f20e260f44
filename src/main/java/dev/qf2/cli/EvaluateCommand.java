package dev.qf2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.eval.AnswerAccuracy;
import dev.qf2.model.Qwen2Model;
import dev.qf2.text.Exchange;
import dev.qf2.text.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Greedy exact-match accuracy on held-out rows, per kind of row. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Answer the rows of a messages JSONL file greedily and report exact-match accuracy, per value "
                + "of each row's \"kind\" field (as 'qf2 corpus' writes it). Learned facts are not applied.")
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "rows to answer")
    Path data;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "1000",
            description = "rows to answer, from the start of the file (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--show-errors", paramLabel = "N", defaultValue = "3",
            description = "wrong answers to print per kind (default: ${DEFAULT-VALUE})")
    int showErrors;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the accuracies as JSON")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (rows < 1) {
            throw new Qf2Exception("--rows must be at least 1, got " + rows);
        }
        List<Exchange> exchanges = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        readLabelled(data, rows, exchanges, labels);
        ModelDirectory dir = modelOptions.open();
        PrintWriter out = spec.commandLine().getOut();
        AnswerAccuracy.Report report;
        try (Tokenizer tokenizer = Tokenizer.load(dir.tokenizerJson());
                Qwen2Model model = Qwen2Model.load(dir)) {
            if (modelOptions.wantsFiringBlock(dir)) {
                model.setFiringBlock(modelOptions.firingBlock(dir));
            }
            report = AnswerAccuracy.measure(model, tokenizer, exchanges, labels);
        }
        ObjectNode summary = new ObjectMapper().createObjectNode();
        out.printf(Locale.ROOT, "%-12s %8s %8s%n", "kind", "rows", "correct");
        for (String label : report.byLabel().keySet()) {
            out.printf(Locale.ROOT, "%-12s %8d %7.1f%%%n", label, report.total(label), 100 * report.accuracy(label));
            summary.putObject(label).put("rows", report.total(label)).put("accuracy", report.accuracy(label));
        }
        out.printf(Locale.ROOT, "%-12s %8d %7.1f%%%n", "all", exchanges.size(), 100 * report.overall());
        summary.put("overall", report.overall());
        for (var entry : report.byLabel().entrySet()) {
            entry.getValue().stream().filter(o -> !o.correct()).limit(showErrors).forEach(o -> out.printf(
                    "  %s: [%s] %s -> \"%s\" (expected \"%s\")%n", entry.getKey(), o.row().system(), o.row().user(),
                    o.answer(), o.row().assistant()));
        }
        if (json != null) {
            JsonFiles.write(json, summary);
        }
        return 0;
    }

    /** Reads up to {@code limit} rows with their {@code kind} (or "all" where a row has none). */
    private static void readLabelled(Path file, int limit, List<Exchange> exchanges, List<String> labels) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new Qf2Exception("cannot read " + file + " (" + e.getMessage() + "): check the path");
        }
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < lines.size() && exchanges.size() < limit; i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            exchanges.add(Exchange.parse(line, file + ":" + (i + 1)));
            String kind = "all";
            try {
                JsonNode node = mapper.readTree(line).get("kind");
                if (node != null && node.isTextual()) {
                    kind = node.textValue();
                }
            } catch (IOException e) {
                // Exchange.parse has already accepted the line as JSON
            }
            labels.add(kind);
        }
        if (exchanges.isEmpty()) {
            throw new Qf2Exception("no rows in " + file + ": give a messages JSONL file");
        }
    }
}
