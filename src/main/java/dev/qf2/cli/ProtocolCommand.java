package dev.qf2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qf2.Qf2Exception;
import dev.qf2.ScratchDirectory;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.eval.FactSequence;
import dev.qf2.eval.Protocol;
import dev.qf2.eval.ProtocolTrials;
import dev.qf2.learn.AnchorQuestions;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the eight-step protocol and prints its table. */
@Command(name = "protocol", mixinStandardHelpOptions = true,
        description = "Run the paper's eight steps (ask, learn, ask again) on a model. Facts are learned into a "
                + "temporary store: the model directory and your stores are never changed.")
class ProtocolCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "default: ${DEFAULT-VALUE}, as the reference")
    int maxNewTokens = 200;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the steps and results as JSON")
    Path json;

    @Option(names = "--rule", paramLabel = "NAME",
            description = "update rule for both facts: published, normalized, least-squares, whitened, anchored or "
                    + "focused; with --trials or --sequence, a comma-separated list or 'all' (default: published, as "
                    + "the reference; all with --trials)")
    String rule;

    @Option(names = "--trials", paramLabel = "N",
            description = "instead of one run, run the protocol for N random (company, person, staff) subjects that "
                    + "the model never saw, per rule, and print how many passed each step, and how many questions "
                    + "about other unseen companies were still declined with both facts learned ('unknown')")
    int trials;

    @Option(names = "--sequence", paramLabel = "N",
            description = "instead of the protocol, learn N facts (the CEOs of unseen companies) one after another "
                    + "per rule and report how many work right after learning and at the end, and whether other "
                    + "unseen companies are still declined and well-known CEOs still named")
    int sequence;

    @Option(names = "--trial-seed", paramLabel = "S", description = "seed of the random subjects (default: "
            + "${DEFAULT-VALUE})")
    long trialSeed = 1;

    @Option(names = "--lr", paramLabel = "X",
            description = "one lr (published) or margin (normalized) for both facts (default: the reference's "
                    + "per-fact lr, or the rule's default)")
    Double lr;

    @Option(names = "--subject", split = ",", paramLabel = "COMPANY,PERSON,STAFF",
            description = "replace Oxinnovate, Qi and one (default: the reference's)")
    String[] subject;

    @Option(names = "--no-generation-config", description = "ignore the checkpoint's repetition_penalty")
    boolean noGenerationConfig;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (trials > 0) {
            runTrials(modelOptions.open(), spec.commandLine().getOut());
            return 0;
        }
        if (sequence > 0) {
            runSequence(modelOptions.open(), spec.commandLine().getOut());
            return 0;
        }
        Protocol.Report report = runOn(modelOptions.open(), spec.commandLine().getOut(), "");
        return report.passed() == report.steps().size() ? 0 : 1;
    }

    /** Learns a sequence of facts with each rule and prints what is left of them and of the model. */
    private void runSequence(ModelDirectory dir, PrintWriter out) {
        List<UpdateRule> rules = rules();
        ObjectNode root = new ObjectMapper().createObjectNode();
        ArrayNode results = root.putArray("sequences");
        try (ScratchDirectory store = ScratchDirectory.create("qf2-protocol-store");
                QuickFire qf = open(dir, store)) {
            out.printf("model %s; %d facts learned one after another (seed %d)%n", dir.dir(), sequence, trialSeed);
            String format = "%-14s %-9s %12s %12s %17s %10s%n";
            out.printf(format, "rule", "strength", "right after", "at the end", "unknown declined", "real CEOs");
            out.flush();
            for (UpdateRule r : rules) {
                if (cannotRun(qf, r, out)) {
                    continue;
                }
                Double chosen = strengthFor(dir, r);
                double strength = chosen != null ? chosen : r.defaultStrength();
                FactSequence.Result f = FactSequence.run(qf, sequence, r, strength, trialSeed, maxNewTokens);
                out.printf(format, r.label(), strength, f.rightAfter() + "/" + f.facts(),
                        f.atTheEnd() + "/" + f.facts(),
                        f.unknownDeclined() + "/" + f.unknownAsked(), f.realCorrect() + "/" + f.realAsked());
                out.flush();
                results.add(new ObjectMapper().valueToTree(f));
            }
        }
        if (json != null) {
            JsonFiles.write(json, root);
        }
    }

    /**
     * The strength for a rule: --lr, else null for the published rule (each lesson's published lr), else the
     * checkpoint's qfstrength for its own rule or the rule's default.
     */
    private Double strengthFor(ModelDirectory dir, UpdateRule r) {
        if (lr != null) {
            return lr;
        }
        return r == UpdateRule.PUBLISHED ? null : QuickFire.defaultOptions(dir).strengthFor(r);
    }

    /** The model with its firing block, learning into a temporary store. */
    private QuickFire open(ModelDirectory dir, ScratchDirectory store) {
        QuickFire qf = QuickFire.load(dir, store.path(), modelOptions.firingBlock(dir));
        if (noGenerationConfig) {
            qf.setRepetitionPenalty(1.0);
        }
        return qf;
    }

    /** Whether the rule needs statistics or anchor questions the model lacks; says so when it does. */
    private static boolean cannotRun(QuickFire qf, UpdateRule r, PrintWriter out) {
        if (r.needsStatistics() && qf.statistics().isEmpty()) {
            out.printf("%-14s skipped: the model has no firing-input statistics (see 'qf2 statistics')%n", r.label());
            return true;
        }
        if (r.usesAnchors() && qf.anchors().isEmpty()) {
            out.printf("%-14s skipped: the model has no anchor questions (%s)%n", r.label(),
                    AnchorQuestions.FILE_NAME);
            return true;
        }
        return false;
    }

    private List<UpdateRule> rules() {
        return rule == null || rule.equalsIgnoreCase("all") ? List.of(UpdateRule.values())
                : Arrays.stream(rule.split(",")).map(String::strip).map(UpdateRule::parse).toList();
    }

    /** Runs the protocol for random subjects with each rule and prints the passes per step. */
    private void runTrials(ModelDirectory dir, PrintWriter out) {
        List<UpdateRule> rules = rules();
        List<Protocol.Subject> subjects = ProtocolTrials.randomSubjects(trials, trialSeed);
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("trials", trials);
        root.put("trial_seed", trialSeed);
        ArrayNode summaries = root.putArray("rules");
        try (ScratchDirectory store = ScratchDirectory.create("qf2-protocol-store");
                QuickFire qf = open(dir, store)) {
            out.printf("model %s; firing block at layer %d, beta %s; %d random subjects (seed %d), e.g. %s%n",
                    dir.dir(), qf.model().firingBlock().layer(), qf.model().firingBlock().beta(), trials, trialSeed,
                    subjects.get(0));
            String format = "%-14s %-9s" + " %6s".repeat(8) + " %6s %9s%n";
            out.printf(format, "rule", "strength", "1", "2", "3", "4", "5", "6", "7", "8", "all 8", "unknown");
            out.flush();
            for (UpdateRule r : rules) {
                if (cannotRun(qf, r, out)) {
                    continue;
                }
                Double strength = strengthFor(dir, r);
                ProtocolTrials.Summary summary = ProtocolTrials.run(qf, subjects, r, strength, maxNewTokens);
                int[] passes = summary.passesPerStep();
                Object[] cells = new Object[12];
                cells[0] = r.label();
                cells[1] = strength != null ? strength.toString() : "per fact";
                for (int i = 0; i < 8; i++) {
                    cells[2 + i] = passes[i] + "/" + trials;
                }
                cells[10] = summary.passedAll() + "/" + trials;
                cells[11] = String.format(java.util.Locale.ROOT, "%.0f%%", 100 * summary.unknownDeclined());
                out.printf(format, cells);
                out.flush();
                ObjectNode node = summaries.addObject();
                node.put("rule", r.label());
                node.put("strength", (String) cells[1]);
                node.set("passes_per_step", new ObjectMapper().valueToTree(passes));
                node.put("passed_all", summary.passedAll());
                node.put("unknown_declined", summary.unknownDeclined());
                ArrayNode runs = node.putArray("subjects");
                for (ProtocolTrials.Trial t : summary.trials()) {
                    ObjectNode run = runs.addObject();
                    run.put("company", t.subject().company());
                    run.put("person", t.subject().person());
                    run.put("staff", t.subject().staff());
                    ArrayNode answers = run.putArray("answers");
                    t.report().steps().forEach(step -> answers.add(step.answer()));
                    run.put("passed", t.report().passed());
                    run.put("unknown_declined", t.unknownDeclined());
                }
            }
        }
        if (json != null) {
            JsonFiles.write(json, root);
        }
    }

    /** The rule of a single run when --rule is not given. */
    UpdateRule defaultRule(ModelDirectory dir) {
        return UpdateRule.PUBLISHED;
    }

    Protocol.Report runOn(ModelDirectory dir, PrintWriter out, String label) {
        UpdateRule updateRule = rule != null ? UpdateRule.parse(rule) : defaultRule(dir);
        Double strength = strengthFor(dir, updateRule);
        Protocol.Subject s = Protocol.Subject.REFERENCE;
        if (subject != null) {
            if (subject.length != 3) {
                throw new Qf2Exception("--subject needs three values, COMPANY,PERSON,STAFF, got " + subject.length);
            }
            s = new Protocol.Subject(subject[0], subject[1], subject[2]);
        }
        try (ScratchDirectory store = ScratchDirectory.create("qf2-protocol-store");
                QuickFire qf = open(dir, store)) {
            out.println("model " + dir.dir() + label + "; firing block at layer " + qf.model().firingBlock().layer()
                    + ", beta " + qf.model().firingBlock().beta() + "; rule " + updateRule.label()
                    + (strength != null ? " with strength " + strength
                    : " with each fact's published lr and significances"));
            out.flush();
            Protocol.Report report = Protocol.run(qf, s, updateRule, strength, maxNewTokens);
            printTable(out, report);
            if (json != null) {
                JsonFiles.write(json, toJson(report));
            }
            return report;
        }
    }

    static void printTable(PrintWriter out, Protocol.Report report) {
        String format = "%-5s %-30s %-32s %-38s %-36s %s%n";
        out.printf(format, "step", "system", "question", "answer", "published answer", "pass");
        int lesson = 0;
        for (Protocol.StepResult r : report.steps()) {
            Protocol.Step st = r.step();
            out.printf(format, st.number(), clip(st.system(), 30), clip(st.question(), 32), clip(r.answer(), 38),
                    clip(st.publishedAnswer(), 36), r.pass() ? "yes" : "NO");
            for (Protocol.LessonResult l : report.lessons()) {
                if (l.lesson().afterStep() == st.number()) {
                    lesson++;
                    out.printf("learn %d: \"%s\" -> \"%s\" (%d rows, %.2f s)%n", lesson, l.lesson().fact(),
                            l.lesson().answer(), l.rows(), l.seconds());
                }
            }
        }
        out.printf("passed %d of %d%n", report.passed(), report.steps().size());
        out.flush();
    }

    static ObjectNode toJson(Protocol.Report report) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode steps = root.putArray("steps");
        for (Protocol.StepResult r : report.steps()) {
            ObjectNode step = steps.addObject();
            step.put("step", r.step().number());
            step.put("system", r.step().system());
            step.put("question", r.step().question());
            step.put("answer", r.answer());
            step.put("published_answer", r.step().publishedAnswer());
            step.set("prompt_ids", mapper.valueToTree(r.promptIds()));
            step.set("generated_ids", mapper.valueToTree(r.generatedIds()));
            step.put("pass", r.pass());
        }
        ArrayNode lessons = root.putArray("learned");
        for (Protocol.LessonResult l : report.lessons()) {
            ObjectNode lesson = lessons.addObject();
            lesson.put("after_step", l.lesson().afterStep());
            lesson.put("fact", l.lesson().fact());
            lesson.put("question", l.lesson().question());
            lesson.put("answer", l.lesson().answer());
            lesson.put("id", l.factId());
            lesson.put("rows", l.rows());
            lesson.put("seconds", l.seconds());
        }
        root.put("rule", report.rule().label());
        root.put("passed", report.passed());
        return root;
    }

    private static String clip(String text, int width) {
        String flat = text.replace("\n", "\\n");
        return flat.length() <= width ? flat : flat.substring(0, width - 1) + "…";
    }
}
