package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code qf2} command line. */
@Command(
        name = "qf2",
        mixinStandardHelpOptions = true,
        version = "qf2 0.1.0",
        description = "Teach a Qwen2 model facts with QF2 quick-firing updates, ask it, and undo what it learned.",
        subcommands = {
            ChatCommand.class,
            LearnCommand.class,
            FactsCommand.class,
            ForgetCommand.class,
            ExportCommand.class,
            ProtocolCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            TokenizerCommand.class,
            InitCommand.class,
            PretrainCommand.class,
            QftCommand.class,
            StatisticsCommand.class,
            CorpusCommand.class,
            EvaluateCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status: 0 success, 1 a failed check, 2 bad input. */
    public static int run(String... args) {
        return execute(new CommandLine(new Main()), args);
    }

    /** Runs the command line with its results and errors written to the given writers instead of the console. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        return execute(cli, args);
    }

    private static int execute(CommandLine cli, String... args) {
        cli.setExecutionExceptionHandler(Main::handleFailure);
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("qf2: " + e.getMessage() + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return Qf2Exception.EXIT_CODE;
        });
        return cli.execute(args);
    }

    private static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof Qf2Exception) {
            err.println("qf2: " + e.getMessage());
            debugTrace(e, err);
            return Qf2Exception.EXIT_CODE;
        }
        err.println("qf2: internal error: " + e + " (set QF2_DEBUG=1 to see where)");
        debugTrace(e, err);
        return 1;
    }

    private static void debugTrace(Exception e, PrintWriter err) {
        if (System.getenv("QF2_DEBUG") != null) {
            e.printStackTrace(err);
        }
    }
}
