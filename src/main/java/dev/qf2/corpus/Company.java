package dev.qf2.corpus;

import java.util.Map;

/**
 * A company and the facts known about it.
 *
 * @param name its name
 * @param facts the value of each relation that is known; other relations are unknown
 */
public record Company(String name, Map<Relation, String> facts) {

    public Company {
        facts = Map.copyOf(facts);
    }
}
