package dev.qf2.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model in models/qf2-small, as a new user meets it: the demo and a question without arguments. */
class ShippedModelTest {

    @TempDir
    Path store;

    @Test
    void theDemoPassesAllEightStepsWithTheModelsOwnRule() {
        CommandRun run = CommandRun.of("demo");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("rule focused with strength 32.0").contains("passed 8 of 8");
    }

    @Test
    void askingWithoutAModelUsesTheShippedOneAndCopiesAFactFromTheSystemLine() {
        CommandRun run = CommandRun.of("chat", "--store", store.toString(), "--system",
                "Mira Tolvane founded Quobrix.", "Who founded Quobrix?");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo("The founder of Quobrix is Mira Tolvane");
    }
}
