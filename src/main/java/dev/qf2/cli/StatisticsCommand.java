package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.learn.FiringInputStatistics;
import dev.qf2.model.Qwen2Model;
import dev.qf2.text.Exchange;
import dev.qf2.text.Tokenizer;
import dev.qf2.train.TrainingExample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Measures the second moment of the firing block's input, which the whitened, anchored and focused rules need. */
@Command(name = "statistics", mixinStandardHelpOptions = true,
        description = "Measure E[h h^T] of the firing block's input h over rows of ordinary text and write it beside "
                + "the model (or to --out), for --rule whitened, anchored or focused.")
final class StatisticsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl",
            description = "rows in the messages format, rendered as training rows")
    Path data;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "2000",
            description = "rows to measure on, from the start of the file (default: ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--out", paramLabel = "FILE",
            description = "where to write (default: " + FiringInputStatistics.FILE_NAME + " in the model directory)")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (rows < 1) {
            throw new Qf2Exception("--rows must be at least 1, got " + rows);
        }
        ModelDirectory dir = modelOptions.open();
        Path target = out != null ? out : dir.dir().resolve(FiringInputStatistics.FILE_NAME);
        List<Exchange> exchanges = Exchange.readJsonl(data);
        try (Tokenizer tokenizer = Tokenizer.load(dir.tokenizerJson());
                Qwen2Model model = Qwen2Model.load(dir)) {
            model.setFiringBlock(modelOptions.firingBlock(dir));
            List<int[]> sequences = new ArrayList<>();
            for (Exchange row : exchanges.subList(0, Math.min(rows, exchanges.size()))) {
                sequences.add(TrainingExample.of(tokenizer, row, dir.config().maxPositionEmbeddings()).ids());
            }
            FiringInputStatistics statistics = FiringInputStatistics.measure(model, sequences);
            statistics.write(target);
            spec.commandLine().getOut().printf("wrote %s: layer %d, %d positions of %d rows%n", target,
                    statistics.layer(), statistics.positions(), sequences.size());
        }
        return 0;
    }
}
