package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.model.FiringBlock;
import dev.qf2.text.Tokenizer;
import dev.qf2.train.AdamW;
import dev.qf2.train.LossScope;
import dev.qf2.train.Trainer;
import dev.qf2.train.TrainingData;
import dev.qf2.train.TrainingExample;
import dev.qf2.train.TrainingOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** What pre-training and QFt share: data, optimizer, schedule, output and resumption. */
abstract class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the checkpoint to start from")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl",
            description = "training rows in the messages format; repeat for several files")
    List<Path> data;

    @Option(names = "--validation", paramLabel = "FILE.jsonl",
            description = "rows for the held-out loss (default: --holdout rows set aside from --data)")
    Path validation;

    @Option(names = "--holdout", paramLabel = "N", defaultValue = "200",
            description = "rows of --data set aside for the held-out loss when --validation is not given "
                    + "(default: ${DEFAULT-VALUE})")
    int holdout;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the trained checkpoint")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "optimizer steps (default: --epochs over the data)")
    Long steps;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1",
            description = "passes over the data when --steps is not given (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "seed of the data order (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "constant",
            description = "learning rate schedule: constant or cosine (default: ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0",
            description = "steps of linear learning-rate warm-up (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--max-grad-norm", paramLabel = "X", defaultValue = "1.0",
            description = "gradient clipping bound (default: ${DEFAULT-VALUE})")
    double maxGradNorm;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0",
            description = "AdamW's decoupled weight decay (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "512",
            description = "tokens kept of each row (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "100",
            description = "steps between held-out loss measurements, 0 for the end only (default: ${DEFAULT-VALUE})")
    int evalEvery;

    @Option(names = "--save-every", paramLabel = "N", defaultValue = "500",
            description = "steps between saves, 0 for the end only (default: ${DEFAULT-VALUE})")
    int saveEvery;

    @Option(names = "--resume", description = "continue the run saved in --out, optimizer state included")
    boolean resume;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The progress bar's label. */
    abstract String task();

    /** The layers that train, for the model's config. */
    abstract List<Integer> layers(ModelDirectory dir);

    /** The firing block training converts to, or null. */
    abstract FiringBlock block(ModelDirectory dir);

    abstract double lr();

    abstract int batch();

    abstract String loss();

    abstract double coeff();

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        ModelDirectory dir = ModelDirectory.open(model);
        TrainingData rows;
        try (Tokenizer tokenizer = Tokenizer.load(dir.tokenizerJson())) {
            List<TrainingExample> all = TrainingData.read(data, tokenizer, maxLength);
            if (all.isEmpty()) {
                throw new Qf2Exception("no training rows in " + data + ": give a messages JSONL file with rows");
            }
            rows = validation != null
                    ? new TrainingData(all, TrainingData.read(List.of(validation), tokenizer, maxLength))
                    : TrainingData.holdOut(all, Math.max(0, holdout), seed);
        }
        int batchSize = batch();
        if (batchSize < 1) {
            throw new Qf2Exception("--batch must be at least 1, got " + batchSize);
        }
        long total = steps != null ? steps : Math.max(1, (long) epochs * rows.train().size() / batchSize);
        TrainingOptions options = new TrainingOptions(layers(dir), block(dir), coeff(), lr(),
                TrainingOptions.Schedule.parse(schedule), warmup, total, batchSize, seed, LossScope.parse(loss()),
                maxGradNorm, maxLength, evalEvery, saveEvery,
                new AdamW.Settings(0.9, 0.999, 1e-8, weightDecay));
        try (Trainer trainer = resume ? Trainer.resume(dir, out, options) : Trainer.start(dir, out, options)) {
            console.printf(Locale.ROOT, "%s: %d trainable parameters, %d training rows, %d held-out rows, "
                    + "%d steps of %d%s%n", task(), trainer.trainableParameters(), rows.train().size(),
                    rows.validation().size(),
                    total, batchSize, options.block() == null ? "" : ", firing block at layer "
                    + options.block().layer() + " (beta " + options.block().beta() + ", coeff " + options.coeff()
                    + ")");
            console.flush();
            try (ProgressListener listener = new ProgressListener(task(), console)) {
                trainer.run(rows.train(), rows.validation(), listener);
            }
            console.println("wrote " + out);
            return 0;
        }
    }

    /** A progress bar on stderr, and one line per held-out measurement on stdout. */
    private static final class ProgressListener implements Trainer.Listener, AutoCloseable {

        private final String task;
        private final PrintWriter out;
        private ProgressReporter bar;

        ProgressListener(String task, PrintWriter out) {
            this.task = task;
            this.out = out;
        }

        @Override
        public void started(long firstStep, long steps) {
            bar = new ProgressReporter(task, steps);
            bar.stepTo(firstStep);
        }

        @Override
        public void stepped(Trainer.StepReport r) {
            bar.extra(String.format(Locale.ROOT, "loss %.3f alpha %.3f lr %.2g %.0f tok/s", r.loss(), r.alpha(),
                    r.lr(), r.tokens() / r.seconds()));
            bar.step();
        }

        @Override
        public void evaluated(Trainer.Evaluation e) {
            out.printf(Locale.ROOT, "step %d: training loss %.4f, held-out loss %.4f, alpha %.4f, %.0f tokens/s, "
                    + "%.0f s%n", e.step(), e.trainingLoss(), e.validationLoss(), e.alpha(), e.tokensPerSecond(),
                    e.elapsedSeconds());
            out.flush();
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
