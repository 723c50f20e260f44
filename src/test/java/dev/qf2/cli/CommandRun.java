package dev.qf2.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qf2.Qf2Exception;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * One run of the {@code qf2} command line in this JVM: its exit code and what it wrote to standard output and to
 * standard error.
 */
record CommandRun(int exitCode, String out, String err) {

    /** Runs {@code qf2 args...}. */
    static CommandRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }

    /** The lines written to standard error. */
    List<String> errLines() {
        return err.lines().toList();
    }

    /** The lines written to standard output. */
    List<String> outLines() {
        return out.lines().toList();
    }

    /**
     * Asserts that the run failed as bad input does: exit code 2 and exactly one line on standard error, prefixed
     * {@code qf2: }, that mentions every one of {@code named}. Returns that line.
     */
    String assertOneLineError(String... named) {
        assertThat(exitCode).as("exit code; stderr: %s", err).isEqualTo(Qf2Exception.EXIT_CODE);
        assertThat(errLines()).as("stderr").hasSize(1);
        String line = errLines().get(0);
        assertThat(line).startsWith("qf2: ");
        for (String name : named) {
            assertThat(line).contains(name);
        }
        return line;
    }

    /** Asserts that the run succeeded with nothing on standard error. */
    CommandRun assertSucceeded() {
        assertThat(exitCode).as("exit code; stderr: %s", err).isZero();
        assertThat(err).isEmpty();
        return this;
    }
}
