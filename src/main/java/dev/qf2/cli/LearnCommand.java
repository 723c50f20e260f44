package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.text.Exchange;
import dev.qf2.learn.LearnOptions;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Learns one fact, or many from a file, into the fact store. */
@Command(name = "learn", mixinStandardHelpOptions = true,
        description = "Learn a fact: record the firing block with the fact as system line, then with the question "
                + "alone, and store the resulting update.")
final class LearnCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    StoreOptions storeOptions;

    @Option(names = "--system", paramLabel = "FACT", description = "the fact, as the system line of the instruct pass")
    String fact;

    @Option(names = "--question", paramLabel = "Q", description = "the question the fact answers")
    String question;

    @Option(names = "--answer", paramLabel = "A", description = "the answer to give without the fact")
    String answer;

    @Option(names = "--facts", paramLabel = "FILE.jsonl",
            description = "learn every row of a file in the messages format (system = fact, user = question, "
                    + "assistant = answer)")
    Path factsFile;

    @Option(names = "--significance", split = ",", paramLabel = "S",
            description = "one significance per answer word (default: 1 each)")
    double[] significance;

    @Option(names = "--token-significance", split = ",", paramLabel = "S",
            description = "one significance per answer token instead of per word")
    double[] tokenSignificance;

    @Option(names = "--rule", paramLabel = "NAME", description = "update rule: published, normalized, "
            + "least-squares, whitened, anchored or focused (default: the checkpoint's qfrule, else published)")
    String rule;

    @Option(names = "--lr", paramLabel = "X",
            description = "learning rate of the published rule, or margin of the others (default: the checkpoint's "
                    + "qfstrength for its rule, else 4e-4 for published, 2 for normalized, 4 for the least-squares "
                    + "rules)")
    Double lr;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        UpdateRule chosen = rule != null ? UpdateRule.parse(rule) : null;
        boolean single = fact != null || question != null || answer != null;
        if (single == (factsFile != null)) {
            throw new Qf2Exception("give either --system, --question and --answer, or --facts FILE.jsonl");
        }
        if (single && (fact == null || question == null || answer == null)) {
            throw new Qf2Exception("learning one fact needs all of --system, --question and --answer");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (QuickFire qf = LoadedModel.openQuickFire(modelOptions, storeOptions)) {
            LearnOptions options = options(qf.defaultOptions(), chosen);
            if (single) {
                print(out, qf.learn(fact, question, answer, options));
                return 0;
            }
            List<Exchange> rows = Exchange.readJsonl(factsFile);
            try (ProgressReporter progress = new ProgressReporter("learning", rows.size())) {
                for (Exchange row : rows) {
                    print(out, qf.learn(row.system(), row.user(), row.assistant(), options));
                    progress.step();
                }
            }
            return 0;
        }
    }

    /** The rule and strength from the flags, falling back on the checkpoint's defaults. */
    private LearnOptions options(LearnOptions defaults, UpdateRule chosen) {
        UpdateRule updateRule = chosen != null ? chosen : defaults.rule();
        double strength = lr != null ? lr : defaults.strengthFor(updateRule);
        LearnOptions options = LearnOptions.of(updateRule, strength);
        if (tokenSignificance != null) {
            return options.withTokenSignificances(tokenSignificance);
        }
        return significance != null ? options.withWordSignificances(significance) : options;
    }

    private static void print(PrintWriter out, QuickFire.Learned learned) {
        out.println("learned " + learned.id() + " (" + learned.rows() + " rows, rule " + learned.record().rule()
                + " " + learned.record().lr() + "): " + learned.record().question() + " -> "
                + learned.record().answer());
        out.flush();
    }
}
