package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.ScratchDirectory;
import dev.qf2.bench.ByteTokenizer;
import dev.qf2.bench.InferenceBenchmark;
import dev.qf2.bench.LearnBenchmark;
import dev.qf2.bench.Machine;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.RandomCheckpoint;
import dev.qf2.learn.QuickFire;
import dev.qf2.model.FiringBlock;
import dev.qf2.model.Qwen2Model;
import dev.qf2.text.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Measures the forward pass, and optionally learning, on a checkpoint of real shapes. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure load time, prefill and decode speed, peak RSS and decode speed against the memory "
                + "bandwidth limit; with --learn, seconds per learned fact and the load time of a large fact store.",
                "The limit is the rate at which the engine's threads read memory (a sum over a 2 GiB array, "
                + "measured in the same run) divided by the weight bytes one decode step reads.",
                "Without --model it writes (once) a checkpoint of random weights with the shapes of --shape and "
                + "keeps it in --cache."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR", description = "checkpoint to measure instead of a random one")
    Path model;

    @Option(names = "--shape", paramLabel = "NAME", defaultValue = "qwen2.5-1.5b",
            description = "shape of the random checkpoint: qwen2.5-1.5b or tiny (default: ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "where random checkpoints are kept (default: ~/.qf2/bench)")
    Path cache;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "512",
            description = "prompt length for the prefill measurement (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--decode-tokens", paramLabel = "N", defaultValue = "32",
            description = "tokens generated per decode measurement (default: ${DEFAULT-VALUE})")
    int decodeTokens;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3",
            description = "repetitions; medians are reported (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--learn", description = "also measure learning and the load of a large fact store")
    boolean learn;

    @Option(names = "--store-facts", paramLabel = "N", defaultValue = "1000",
            description = "facts in the large store for --learn (default: ${DEFAULT-VALUE})")
    int storeFacts;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (runs < 1 || promptTokens < 1 || decodeTokens < 1 || storeFacts < 1) {
            throw new Qf2Exception("--runs, --prompt-tokens, --decode-tokens and --store-facts must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = model != null ? model : randomCheckpoint(out);
        ModelDirectory md = ModelDirectory.open(dir);
        fitPromptToModel(md.config().maxPositionEmbeddings(), out);
        out.println("machine: " + Machine.describe());
        out.println("checkpoint: " + dir);
        out.flush();
        long start = System.nanoTime();
        try (Qwen2Model qwen = Qwen2Model.load(md)) {
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            InferenceBenchmark.Result r = InferenceBenchmark.measure(qwen, loadSeconds,
                    new InferenceBenchmark.Settings(promptTokens, decodeTokens, runs, 2L << 30, 7));
            printInference(out, r);
            if (learn) {
                int layers = qwen.config().numHiddenLayers();
                FiringBlock block = md.config().qflayer().isPresent() ? QuickFire.defaultBlock(md)
                        : FiringBlock.at(Math.min(FiringBlock.DEFAULT_LAYER, layers - 1), FiringBlock.DEFAULT_BETA);
                qwen.setFiringBlock(block);
                try (Tokenizer tokenizer = Tokenizer.load(md.tokenizerJson());
                        ScratchDirectory work = ScratchDirectory.create("qf2-bench")) {
                    LearnBenchmark.Result l = LearnBenchmark.run(qwen, tokenizer, work.path(), runs, storeFacts);
                    printLearn(out, l, loadSeconds, block);
                }
            }
        }
        return 0;
    }

    /**
     * Shortens the default prompt to what the model's positions allow; a prompt length the user asked for that does
     * not fit is an error.
     */
    private void fitPromptToModel(int positions, PrintWriter out) {
        if (promptTokens + decodeTokens <= positions) {
            return;
        }
        boolean asked = spec.commandLine().getParseResult().hasMatchedOption("--prompt-tokens");
        if (asked || decodeTokens >= positions) {
            throw new Qf2Exception("--prompt-tokens " + promptTokens + " plus --decode-tokens " + decodeTokens
                    + " exceed the model's " + positions + " positions (max_position_embeddings): lower them");
        }
        promptTokens = positions - decodeTokens;
        out.printf("prompt shortened to %d tokens to fit the model's %d positions%n", promptTokens, positions);
    }

    private Path randomCheckpoint(PrintWriter out) {
        RandomCheckpoint.Shape s = RandomCheckpoint.Shape.named(shape);
        Path root = cache != null ? cache : Path.of(System.getProperty("user.home"), ".qf2", "bench");
        Path dir = root.resolve(s.name() + "-seed0");
        if (!Files.isRegularFile(dir.resolve("config.json")) || !Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            out.printf("writing a random-weight %s checkpoint (%.2f GB of float32) to %s, once ...%n", s.name(),
                    s.parameterCount() * 4 / 1e9, dir);
            out.flush();
            long start = System.nanoTime();
            RandomCheckpoint.write(dir, s, 0);
            ByteTokenizer.write(dir.resolve("tokenizer.json"));
            out.printf("written in %.1f s%n", (System.nanoTime() - start) / 1e9);
        }
        return dir;
    }

    private static void printInference(PrintWriter out, InferenceBenchmark.Result r) {
        double gib = 1L << 30;
        out.printf("%-44s %12s%n", "measure", "value");
        out.printf("%-44s %12.2f%n", "load (s)", r.loadSeconds());
        out.printf("%-44s %12.1f%n", "prefill (tokens/s, median)", r.prefillTokensPerSecond());
        out.printf("%-44s %12.2f%n", "decode (tokens/s, median)", r.decodeTokensPerSecond());
        out.printf("%-44s %12.2f%n", "weights read per token (GiB)", r.weightBytesPerToken() / gib);
        out.printf("%-44s %12.2f%n", String.format("read bandwidth, %.0f GiB sum, %d thread%s (GiB/s)",
                r.readProbeBytes() / gib, r.engineThreads(), r.engineThreads() == 1 ? "" : "s"),
                r.readBandwidth() / gib);
        out.printf("%-44s %12.2f%n", "decode limit: bandwidth / bytes (tokens/s)", r.decodeLimit());
        out.printf("%-44s %11.0f%%%n", "decode as a fraction of the limit", 100 * r.fractionOfLimit());
        out.printf("%-44s %12.2f%n", "float32 weights (GiB)", r.float32WeightBytes() / gib);
        out.printf("%-44s %12.2f%n", "peak RSS (GiB)", r.peakRssBytes() / gib);
        out.printf("%-44s %12.2f%n", "peak RSS / float32 weights", r.rssOverWeights());
        out.flush();
    }

    private static void printLearn(PrintWriter out, LearnBenchmark.Result l, double modelLoadSeconds,
            FiringBlock block) {
        out.printf("learning at layer %d, beta %s (published rule)%n", block.layer(), block.beta());
        out.printf("%-44s %12.3f%n", "learn one fact (s, median)", l.secondsPerFact());
        out.printf("%-44s %12.3f%n", "its two teacher-forced passes alone (s)", l.teacherForcedSeconds());
        out.printf("%-44s %12.2f%n", "ratio", l.ratio());
        out.printf("%-44s %12.1f%n", "write a store of " + l.storeFacts() + " facts (s)", l.storeBuildSeconds());
        out.printf("%-44s %12.2f%n", "open it on the loaded model (s)", l.storeLoadSeconds());
        out.printf("%-44s %12.2f%n", "model load (s), for comparison", modelLoadSeconds);
        out.flush();
    }
}
