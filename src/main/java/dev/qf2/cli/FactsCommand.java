package dev.qf2.cli;

import dev.qf2.learn.QuickFire;
import dev.qf2.store.FactRecord;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Lists the learned facts. */
@Command(name = "facts", mixinStandardHelpOptions = true, description = "List the facts in the store, oldest first.")
final class FactsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    StoreOptions storeOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (QuickFire qf = LoadedModel.openQuickFire(modelOptions, storeOptions)) {
            if (qf.facts().isEmpty()) {
                out.println("no facts in " + qf.store().directory());
                return 0;
            }
            out.printf("%-10s %-20s %-10s %-9s %4s  %s%n", "id", "learned", "rule", "lr", "rows", "fact");
            for (FactRecord f : qf.facts()) {
                out.printf("%-10s %-20s %-10s %-9.3g %4d  %s | %s -> %s%n", f.id(),
                        f.learnedAt().toString().substring(0, 19), f.rule(), f.lr(), f.rows(), f.system(),
                        f.question(), f.answer());
            }
            return 0;
        }
    }
}
