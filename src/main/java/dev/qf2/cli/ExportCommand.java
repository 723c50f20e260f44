package dev.qf2.cli;

import dev.qf2.Qf2Exception;
import dev.qf2.ScratchDirectory;
import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.checkpoint.SafeTensorsFile;
import dev.qf2.checkpoint.SafeTensorsWriter;
import dev.qf2.checkpoint.TensorData;
import dev.qf2.checkpoint.TensorInfo;
import dev.qf2.checkpoint.TensorStore;
import dev.qf2.learn.QuickFire;
import dev.qf2.model.FiringBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes a checkpoint with every learned fact baked into its weights. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a complete Hugging Face checkpoint with the learned facts in the firing block's "
                + "up_proj; config.json records qflayer and qfbeta so that every command uses the same block.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    StoreOptions storeOptions;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "new checkpoint directory")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (Files.exists(out)) {
            throw new Qf2Exception(out + " already exists: choose a new --out directory");
        }
        ModelDirectory dir = modelOptions.open();
        FiringBlock block = modelOptions.firingBlock(dir);
        Path staging = createStaging();
        try (QuickFire qf = QuickFire.load(dir, storeOptions.storeDir(dir.dir()), block);
                TensorStore source = dir.openWeights()) {
            String edited = "model.layers." + block.layer() + ".mlp.up_proj.weight";
            float[] weight = qf.weight();
            Map<Path, SafeTensorsFile> shards = new HashMap<>();
            List<TensorData> tensors = new ArrayList<>();
            for (Map.Entry<String, TensorInfo> e : source.tensors().entrySet()) {
                TensorInfo info = e.getValue();
                if (e.getKey().equals(edited)) {
                    tensors.add(TensorData.ofFloats(edited, info.dtype(), info.shape(), weight));
                    continue;
                }
                SafeTensorsFile file = shards.computeIfAbsent(source.fileOf(e.getKey()), SafeTensorsFile::open);
                ByteBuffer raw = file.mapRaw(e.getKey());
                tensors.add(TensorData.ofBytes(e.getKey(), info.dtype(), info.shape(), raw));
            }
            try {
                SafeTensorsWriter.writeInOrder(staging.resolve("model.safetensors"), Map.of("format", "pt"), tensors);
            } finally {
                shards.values().forEach(SafeTensorsFile::close);
            }
            String config = dir.config().withQf(block.layer(), block.beta(), dir.config().qfcoeff().orElse(null))
                    .toJsonString();
            Files.writeString(staging.resolve("config.json"), config, StandardCharsets.UTF_8);
            dir.copyCompanionFiles(staging);
            Files.move(staging, out);
            spec.commandLine().getOut().println("wrote " + out + " with " + qf.facts().size()
                    + " learned facts in layer " + block.layer() + " (beta " + block.beta() + ")");
            return 0;
        } catch (IOException e) {
            ScratchDirectory.deleteRecursively(staging);
            throw new Qf2Exception("cannot write the checkpoint " + out + " (" + e + ")"
                    + ": check free disk space and permissions", e);
        } catch (RuntimeException e) {
            ScratchDirectory.deleteRecursively(staging);
            throw e;
        }
    }

    /** A hidden directory beside --out, created with any missing parents, so that the final move is one rename. */
    private Path createStaging() {
        Path parent = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, ".qf2-export");
        } catch (IOException e) {
            throw new Qf2Exception("cannot create a directory beside --out " + out + " (" + e + ")"
                    + ": choose an --out directory in a writable place", e);
        }
    }
}
