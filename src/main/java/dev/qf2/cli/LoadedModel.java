package dev.qf2.cli;

import dev.qf2.checkpoint.ModelDirectory;
import dev.qf2.learn.QuickFire;
import dev.qf2.model.Qwen2Model;
import dev.qf2.text.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model and tokenizer for answering: with the firing block and the fact store, or the stock model. */
final class LoadedModel implements AutoCloseable {

    final ModelDirectory dir;
    final Qwen2Model model;
    final Tokenizer tokenizer;
    final QuickFire quickFire; // null for the stock model

    private LoadedModel(ModelDirectory dir, Qwen2Model model, Tokenizer tokenizer, QuickFire quickFire) {
        this.dir = dir;
        this.model = model;
        this.tokenizer = tokenizer;
        this.quickFire = quickFire;
    }

    /**
     * Loads the model with its firing block and fact store when the flags or the checkpoint ask for the
     * block, or a store exists for it; otherwise as stock Qwen2.
     */
    static LoadedModel open(ModelOptions modelOptions, StoreOptions storeOptions) {
        ModelDirectory dir = modelOptions.open();
        Path storeDir = storeOptions.storeDir(dir.dir());
        boolean firing = modelOptions.wantsFiringBlock(dir) || storeOptions.store != null
                || Files.isDirectory(storeDir);
        if (firing) {
            QuickFire qf = QuickFire.load(dir, storeDir, modelOptions.firingBlock(dir));
            return new LoadedModel(dir, qf.model(), qf.tokenizer(), qf);
        }
        Tokenizer tokenizer = Tokenizer.load(dir.tokenizerJson());
        try {
            return new LoadedModel(dir, Qwen2Model.load(dir), tokenizer, null);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** Loads the model with its firing block and fact store, always. */
    static QuickFire openQuickFire(ModelOptions modelOptions, StoreOptions storeOptions) {
        ModelDirectory dir = modelOptions.open();
        return QuickFire.load(dir, storeOptions.storeDir(dir.dir()), modelOptions.firingBlock(dir));
    }

    @Override
    public void close() {
        if (quickFire != null) {
            quickFire.close();
        } else {
            tokenizer.close();
            model.close();
        }
    }
}
