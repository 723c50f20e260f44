package dev.qf2.cli;

import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import picocli.CommandLine.Command;

/** The eight-step protocol on the model shipped with the project, learning with the rule that suits it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the eight-step protocol on the shipped model (or --model) with the update rule its config "
                + "names (qfrule), else the published one. Exits 0 when every step passes.")
final class DemoCommand extends ProtocolCommand {

    @Override
    UpdateRule defaultRule(ModelDirectory dir) {
        return QuickFire.defaultOptions(dir).rule();
    }
}
