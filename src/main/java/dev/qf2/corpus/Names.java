package dev.qf2.corpus;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Invented names of companies and people, built from syllables so that a model trained on them meets a new name in
 * almost every row and must copy names rather than remember them.
 *
 * <p>Every name falls on one side of a fixed split: {@link #isHeldOut} names (about one in eight, decided by a hash
 * of the name) never appear in the training corpus and are the only ones evaluation draws, so an evaluation subject
 * is a name the model has never seen. The names of the reference protocol, Oxinnovate and Qi, are held out too.
 */
public final class Names {

    // Every letter of the alphabet occurs, at the start of a syllable and inside one, so that a model trained on
    // these names has seen the pieces of almost any name it may be asked to copy.
    private static final List<String> ONSETS = List.of("", "", "b", "bl", "br", "c", "ch", "cl", "cr", "d", "dr",
            "f", "fl", "fr", "g", "gl", "gr", "h", "j", "k", "kn", "l", "m", "n", "p", "ph", "pl", "pr", "q", "qu",
            "r", "s", "sc", "sh", "sk", "sl", "sm", "sn", "sp", "st", "sw", "t", "th", "tr", "tw", "v", "w", "wh",
            "x", "y", "z", "zh");
    private static final List<String> VOWELS = List.of("a", "e", "i", "o", "u", "a", "e", "i", "o", "y", "ai",
            "au", "ea", "ee", "ei", "ia", "ie", "io", "oa", "oo", "ou", "ue");
    private static final List<String> CODAS = List.of("", "", "", "", "b", "ck", "d", "f", "g", "k", "l", "ll", "m",
            "n", "nn", "ng", "nt", "p", "r", "rr", "s", "ss", "st", "t", "th", "tt", "v", "x", "z");
    private static final List<String> COMPANY_ENDINGS = List.of("", "", "", "", "", "", "ia", "ex", "on", "ify",
            "ate", "ware", "tek", "nova", "gen", "ly", "io", "ster", "bit", "scape", "works", "core", "vate", "ix");
    private static final List<String> COMPANY_SUFFIXES = List.of(" Labs", " Systems", " Group", " Dynamics",
            " Robotics", " Foods", " Energy", " Health", " Motors", " Capital");
    private static final List<String> SHORT_GIVEN = List.of("Bo", "Li", "Xu", "Yi", "Mo", "Jo", "Al", "Ed", "Su",
            "Ty", "Ra", "Ki", "Lu", "Ny", "Zo", "Ha", "Wu", "Ji", "Em", "Ana", "Qu", "Ox", "Iv", "Uma", "Eli", "Oz",
            "Yu", "Vi", "Fe", "Gu");

    /** Names that the reference protocol uses, never in training. */
    public static final Set<String> RESERVED = Set.of("Oxinnovate", "Qi");

    private Names() {}

    /** Whether a name is kept out of training, for evaluation only. */
    public static boolean isHeldOut(String name) {
        if (RESERVED.contains(name)) {
            return true;
        }
        int h = 0x9E3779B9;
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ name.charAt(i)) * 0x01000193;
        }
        h ^= h >>> 15;
        return Math.floorMod(h, 8) == 0;
    }

    /** A new company name of the given side of the split: a one-word name, sometimes with a second word. */
    public static String company(SplittableRandom random, boolean heldOut) {
        while (true) {
            StringBuilder name = new StringBuilder();
            int syllables = 2 + random.nextInt(2);
            for (int s = 0; s < syllables; s++) {
                name.append(syllable(random, s == syllables - 1));
            }
            name.append(pick(random, COMPANY_ENDINGS));
            String word = capitalise(name.toString());
            String full = random.nextInt(6) == 0 ? word + pick(random, COMPANY_SUFFIXES) : word;
            if (word.length() >= 3 && word.length() <= 13 && isHeldOut(full) == heldOut) {
                return full;
            }
        }
    }

    /** A new person's name of the given side of the split: a given name, usually followed by a family name. */
    public static String person(SplittableRandom random, boolean heldOut) {
        while (true) {
            int form = random.nextInt(10);
            String given = form < 2 ? pick(random, SHORT_GIVEN)
                    : form < 4 ? capitalise(syllable(random, true))
                    : capitalise(syllable(random, false) + syllable(random, true));
            String full = random.nextInt(3) == 0 ? given
                    : given + " " + capitalise(syllable(random, false) + syllable(random, true));
            if (full.length() >= 2 && isHeldOut(full) == heldOut) {
                return full;
            }
        }
    }

    private static String syllable(SplittableRandom random, boolean last) {
        String coda = last || random.nextInt(3) == 0 ? pick(random, CODAS) : "";
        return pick(random, ONSETS) + pick(random, VOWELS) + coda;
    }

    static <T> T pick(SplittableRandom random, List<T> options) {
        return options.get(random.nextInt(options.size()));
    }

    private static String capitalise(String word) {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }
}
