package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.eval.Protocol;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** The eight-step protocol on the model shipped with the project. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the eight-step protocol on the shipped model (or --model). Exits 0 when every step passes.")
final class DemoCommand extends ProtocolCommand {

    /** The golden tiny model beside the checkout, used while no model is shipped. */
    private static final String GOLDEN_MODEL = "../shared/golden/qf2-tiny-random/model";

    /** The demo learns with the checkpoint's own rule, qfrule, when it names one. */
    @Override
    UpdateRule defaultRule(ModelDirectory dir) {
        return QuickFire.defaultOptions(dir).rule();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (modelOptions.model != null || Files.isDirectory(ModelOptions.shippedModel())) {
            Protocol.Report report = runOn(modelOptions.open(), out, "");
            return report.passed() == report.steps().size() ? 0 : 1;
        }
        Path golden = ModelOptions.home().resolve(GOLDEN_MODEL).normalize();
        if (!Files.isDirectory(golden)) {
            throw new Qf2Exception("no shipped model at " + ModelOptions.shippedModel() + " and no golden model at "
                    + golden + ": pass --model DIR");
        }
        out.println("No trained model is shipped yet: running on the random-weight golden model, which shows the "
                + "mechanics only (its answers are gibberish and no step is expected to pass).");
        runOn(ModelDirectory.open(golden), out, " (random weights: mechanics only)");
        return 0;
    }
}
