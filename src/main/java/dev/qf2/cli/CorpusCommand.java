package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.corpus.CompanyCorpus;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes rows of the company-facts corpus. */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = {"Write generated question-answer rows about companies as messages JSONL: facts copied from the "
                + "system line, unknown companies declined, real and invented companies answered from memory.",
                "The same seeds always give the same file; rows made with another --seed share the world (the "
                + "invented companies answered from memory) of the same --world-seed."})
final class CorpusCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "FILE.jsonl", description = "the file to write")
    Path out;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "20000", description = "default: ${DEFAULT-VALUE}")
    int rows;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "seed of the rows (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--world-seed", paramLabel = "S", defaultValue = "0",
            description = "seed of the invented companies answered from memory (default: ${DEFAULT-VALUE})")
    long worldSeed;

    @Option(names = "--memorised", paramLabel = "N", defaultValue = "200",
            description = "invented companies answered from memory (default: ${DEFAULT-VALUE})")
    int memorised;

    @Option(names = "--only", paramLabel = "KIND",
            description = "rows of one kind only: copy, unknown, irrelevant, real, memorised or gap (unknown rows make "
                    + "anchor questions for the anchored rule)")
    String only;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (rows < 1) {
            throw new Qf2Exception("--rows must be at least 1, got " + rows);
        }
        if (memorised < 1) {
            throw new Qf2Exception("--memorised must be at least 1, got " + memorised);
        }
        if (Files.isDirectory(out)) {
            throw new Qf2Exception(out + " is a directory: give --out a file name such as corpus.jsonl");
        }
        CompanyCorpus corpus = new CompanyCorpus(worldSeed, memorised);
        List<CompanyCorpus.Row> generated = only == null ? corpus.rows(rows, seed)
                : corpus.rows(CompanyCorpus.Kind.parse(only), rows, seed);
        CompanyCorpus.writeJsonl(out, generated);
        Map<CompanyCorpus.Kind, Integer> counts = new EnumMap<>(CompanyCorpus.Kind.class);
        for (CompanyCorpus.Row row : generated) {
            counts.merge(row.kind(), 1, Integer::sum);
        }
        PrintWriter console = spec.commandLine().getOut();
        StringBuilder kinds = new StringBuilder();
        counts.forEach((kind, n) -> kinds.append(kinds.length() == 0 ? "" : ", ").append(kind.label()).append(' ')
                .append(n));
        console.printf("wrote %s: %d rows (%s)%n", out, generated.size(), kinds);
        return 0;
    }
}
