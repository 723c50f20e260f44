package dev.qf2.eval;

import dev.qf2.corpus.Company;
import dev.qf2.corpus.CompanyCorpus;
import dev.qf2.corpus.Names;
import dev.qf2.corpus.Relation;
import dev.qf2.learn.LearnOptions;
import dev.qf2.learn.QuickFire;
import dev.qf2.learn.UpdateRule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Many facts learned one after another, as a user would teach a model: "P is the CEO of C." for N companies the
 * model never saw. Measures whether each fact works right after it is learned, how many still work after all N, and
 * what became of the rest of the model: questions about other unseen companies should still be declined, and the
 * CEOs of well-known companies still named. The facts are forgotten afterwards, so the store ends as it began.
 */
public final class FactSequence {

    /**
     * The outcome of one sequence.
     *
     * @param facts N
     * @param rightAfter facts answered correctly right after each was learned
     * @param atTheEnd facts answered correctly after all N were learned
     * @param unknownDeclined questions about other unseen companies still declined at the end
     * @param unknownAsked such questions asked
     * @param realCorrect well-known companies' CEOs still named at the end
     * @param realAsked such questions asked
     */
    public record Result(UpdateRule rule, double strength, int facts, int rightAfter, int atTheEnd,
            int unknownDeclined, int unknownAsked, int realCorrect, int realAsked) {}

    private static final int UNKNOWN_QUESTIONS = 10;

    private FactSequence() {}

    /** Learns {@code count} facts about random held-out subjects with one rule, measures, and forgets them. */
    public static Result run(QuickFire qf, int count, UpdateRule rule, double strength, long seed,
            int maxNewTokens) {
        List<Protocol.Subject> subjects = ProtocolTrials.randomSubjects(count, seed);
        List<String> ids = new ArrayList<>();
        int rightAfter = 0;
        for (Protocol.Subject s : subjects) {
            Protocol.Lesson lesson = Protocol.lessons(s).get(0);
            ids.add(qf.learn(lesson.fact(), lesson.question(), lesson.answer(),
                    LearnOptions.of(rule, strength).withWordSignificances(lesson.significances())).id());
            rightAfter += names(qf, lesson.question(), s.person(), maxNewTokens) ? 1 : 0;
        }
        int atTheEnd = 0;
        for (Protocol.Subject s : subjects) {
            atTheEnd += names(qf, Protocol.lessons(s).get(0).question(), s.person(), maxNewTokens) ? 1 : 0;
        }
        SplittableRandom random = new SplittableRandom(seed ^ 0x5EED);
        int declined = 0;
        for (int q = 0; q < UNKNOWN_QUESTIONS; q++) {
            String answer = qf.ask("", Relation.CEO.ask(random, Names.company(random, true)), maxNewTokens).text();
            declined += Protocol.declines(answer) ? 1 : 0;
        }
        int realCorrect = 0;
        int realAsked = 0;
        for (Company c : CompanyCorpus.real()) {
            String ceo = c.facts().get(Relation.CEO);
            if (ceo != null) {
                realAsked++;
                realCorrect += names(qf, "Who is the CEO of " + c.name() + "?", ceo, maxNewTokens) ? 1 : 0;
            }
        }
        for (int i = ids.size() - 1; i >= 0; i--) {
            qf.forget(ids.get(i));
        }
        return new Result(rule, strength, count, rightAfter, atTheEnd, declined, UNKNOWN_QUESTIONS, realCorrect,
                realAsked);
    }

    private static boolean names(QuickFire qf, String question, String person, int maxNewTokens) {
        return Protocol.passes(qf.ask("", question, maxNewTokens).text(),
                new Protocol.Step(0, "", question, "", person));
    }
}
