package dev.qf2.cli;

import dev.qf2.learn.QuickFire;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Removes facts from the store. */
@Command(name = "forget", mixinStandardHelpOptions = true,
        description = "Remove facts exactly: their updates are subtracted and the weight rebuilt from the rest.")
final class ForgetCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    StoreOptions storeOptions;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "fact ids, as 'qf2 facts' lists them")
    List<String> ids;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (QuickFire qf = LoadedModel.openQuickFire(modelOptions, storeOptions)) {
            for (String id : ids) {
                qf.forget(id);
                spec.commandLine().getOut().println("forgot " + id);
            }
            return 0;
        }
    }
}
