package dev.qf2.cli;

import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.model.FiringBlock;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Trains a stock Qwen2 checkpoint, every parameter, e.g. one made by {@code init}. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Train every parameter of a stock Qwen2 checkpoint on messages JSONL rows in the plain prompt "
                + "format (AdamW, gradient clipping), saving a checkpoint that every command loads.")
final class PretrainCommand extends TrainCommand {

    @Option(names = "--lr", paramLabel = "X", defaultValue = "1e-3",
            description = "peak rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "32", description = "default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--loss", paramLabel = "all|answer", defaultValue = "all",
            description = "targets the loss counts: every token, or the answer's (default: ${DEFAULT-VALUE})")
    String loss;

    @Override
    String task() {
        return "pretrain";
    }

    @Override
    List<Integer> layers(ModelDirectory dir) {
        return List.of();
    }

    @Override
    FiringBlock block(ModelDirectory dir) {
        return null;
    }

    @Override
    double lr() {
        return lr;
    }

    @Override
    int batch() {
        return batch;
    }

    @Override
    String loss() {
        return loss;
    }

    @Override
    double coeff() {
        return 0;
    }
}
