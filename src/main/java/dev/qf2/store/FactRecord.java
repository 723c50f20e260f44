package dev.qf2.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One learned fact as the journal keeps it: what was taught, how, and where its factors are.
 *
 * @param id short identifier, unique within the store; empty until the store assigns it
 * @param system the instruction the fact was recorded with
 * @param question the question asked without the instruction
 * @param answer the answer the model was taught
 * @param significances the per-word significances given, or null for the default of 1 per word
 * @param tokenSignificances the per-token significances given instead of per-word ones, or null
 * @param rule the update rule's name
 * @param lr the rule's strength (the learning rate for the published rule)
 * @param beta the firing block's beta when the fact was learned
 * @param layer the firing block's layer
 * @param learnedAt when the fact was learned
 * @param rows the number of factor rows (answer tokens of non-zero significance); 0 until stored
 * @param base the fingerprint of the base weight the store builds on; empty until stored
 * @param factorsSha256 the SHA-256 of the factor file; empty until stored
 */
public record FactRecord(String id, String system, String question, String answer, double[] significances,
        double[] tokenSignificances, String rule, double lr, double beta, int layer, Instant learnedAt, int rows,
        String base, String factorsSha256) {

    public FactRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(learnedAt, "learnedAt");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(factorsSha256, "factorsSha256");
        significances = significances == null ? null : significances.clone();
        tokenSignificances = tokenSignificances == null ? null : tokenSignificances.clone();
    }

    /** A builder for a fact that has not been stored yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** The per-word significances, or null; a copy. */
    @Override
    public double[] significances() {
        return significances == null ? null : significances.clone();
    }

    /** The per-token significances, or null; a copy. */
    @Override
    public double[] tokenSignificances() {
        return tokenSignificances == null ? null : tokenSignificances.clone();
    }

    /** The name of this fact's factor file inside the store's factor directory. */
    public String factorFileName() {
        return id + ".safetensors";
    }

    FactRecord stored(String newId, int newRows, String newBase, String newSha256) {
        return new FactRecord(newId, system, question, answer, significances, tokenSignificances, rule, lr, beta,
                layer, learnedAt, newRows, newBase, newSha256);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FactRecord f && id.equals(f.id) && system.equals(f.system)
                && question.equals(f.question) && answer.equals(f.answer)
                && Arrays.equals(significances, f.significances)
                && Arrays.equals(tokenSignificances, f.tokenSignificances) && rule.equals(f.rule)
                && Double.compare(lr, f.lr) == 0 && Double.compare(beta, f.beta) == 0 && layer == f.layer
                && learnedAt.equals(f.learnedAt) && rows == f.rows && base.equals(f.base)
                && factorsSha256.equals(f.factorsSha256);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, system, question, answer, Arrays.hashCode(significances), rule, learnedAt);
    }

    @Override
    public String toString() {
        return "FactRecord[" + id + ": " + system + " | " + question + " -> " + answer + ", " + rule + " " + lr
                + ", " + rows + " rows]";
    }

    /** Collects the fields of a fact before it is stored. */
    public static final class Builder {
        private String system = "";
        private String question;
        private String answer;
        private double[] significances;
        private double[] tokenSignificances;
        private String rule = "published";
        private double lr;
        private double beta;
        private int layer;
        private Instant learnedAt = Instant.now();

        private Builder() {}

        public Builder system(String value) {
            this.system = value;
            return this;
        }

        public Builder question(String value) {
            this.question = value;
            return this;
        }

        public Builder answer(String value) {
            this.answer = value;
            return this;
        }

        public Builder significances(double[] value) {
            this.significances = value;
            return this;
        }

        public Builder tokenSignificances(double[] value) {
            this.tokenSignificances = value;
            return this;
        }

        public Builder rule(String value) {
            this.rule = value;
            return this;
        }

        public Builder lr(double value) {
            this.lr = value;
            return this;
        }

        public Builder beta(double value) {
            this.beta = value;
            return this;
        }

        public Builder layer(int value) {
            this.layer = value;
            return this;
        }

        public Builder learnedAt(Instant value) {
            this.learnedAt = value;
            return this;
        }

        /** The fact, with an empty id, no rows and no base until the store assigns them. */
        public FactRecord build() {
            return new FactRecord("", system, question, answer, significances, tokenSignificances, rule, lr, beta,
                    layer, learnedAt, 0, "", "");
        }
    }
}
