package dev.qf2.corpus;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A kind of fact about a company, with the ways a fact of that kind is stated, the questions that ask for it, and
 * the one sentence that answers them. In the templates {@code {C}} stands for the company and {@code {V}} for the
 * value (a person, a city, a number, a year or a product).
 */
public enum Relation {

    CEO(List.of("{V} is the CEO of {C}.", "The CEO of {C} is {V}.", "{C} is led by {V}.", "{C}'s CEO is {V}.",
            "{V} runs {C} as its CEO."),
            List.of("Who is the CEO of {C}?", "Who runs {C}?", "Who leads {C}?", "The CEO of {C}?",
                    "Who is {C}'s CEO?"),
            "The CEO of {C} is {V}."),

    FOUNDER(List.of("{V} founded {C}.", "{C} was founded by {V}.", "The founder of {C} is {V}.",
            "{V} is the founder of {C}."),
            List.of("Who founded {C}?", "Who is the founder of {C}?", "The founder of {C}?",
                    "Who started {C}?"),
            "The founder of {C} is {V}."),

    HEADQUARTERS(List.of("{C} is headquartered in {V}.", "The headquarters of {C} is in {V}.",
            "{C} is based in {V}."),
            List.of("Where is {C} headquartered?", "Where is {C} based?", "The headquarters of {C}?"),
            "{C} is headquartered in {V}."),

    STAFF(List.of("{C} has {V} people.", "{C} employs {V} people.", "There are {V} people in {C}.",
            "{C} has a staff of {V}."),
            List.of("How many people in {C}?", "How many people work at {C}?", "How many employees does {C} have?",
                    "The staff size of {C}?"),
            "{C} has {V} people."),

    FOUNDED(List.of("{C} was founded in {V}.", "{C} started in {V}.", "{C} dates from {V}."),
            List.of("When was {C} founded?", "In which year was {C} founded?", "How old is {C}?"),
            "{C} was founded in {V}."),

    PRODUCT(List.of("{C} makes {V}.", "{C} is known for its {V}.", "The main product of {C} is {V}."),
            List.of("What does {C} make?", "What is the main product of {C}?", "What is {C} known for?"),
            "{C} makes {V}.");

    private static final List<String> CITIES = List.of("Paris", "Berlin", "Madrid", "Rome", "Vienna", "Prague",
            "Warsaw", "Oslo", "Stockholm", "Helsinki", "Dublin", "Lisbon", "Athens", "Cairo", "Nairobi", "Lagos",
            "Tokyo", "Osaka", "Seoul", "Beijing", "Shanghai", "Shenzhen", "Singapore", "Mumbai", "Delhi", "Sydney",
            "Toronto", "Montreal", "Chicago", "Boston", "Denver", "Austin", "Seattle", "Miami", "Lima", "Bogota",
            "Santiago", "Buenos Aires", "Mexico City", "Cape Town", "Zurich", "Geneva", "Munich", "Hamburg", "Milan",
            "Barcelona", "Amsterdam", "Brussels", "Copenhagen", "Edinburgh");

    private static final List<String> NUMBER_WORDS = List.of("one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine", "ten", "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty",
            "eighty", "ninety");

    private static final List<String> PRODUCTS = List.of("smart windows", "electric bikes", "cloud storage",
            "solar panels", "running shoes", "coffee machines", "drones", "video games", "medical scanners",
            "robot vacuums", "wind turbines", "payment software", "farm sensors", "water filters", "e-books",
            "noise-cancelling headphones", "garden tools", "3D printers", "sports drinks", "pet food", "batteries",
            "delivery robots", "accounting software", "smart watches", "baby strollers", "camping tents",
            "language apps", "microchips", "frozen pizza", "hearing aids");

    private final List<String> statements;
    private final List<String> questions;
    private final String answer;

    Relation(List<String> statements, List<String> questions, String answer) {
        this.statements = statements;
        this.questions = questions;
        this.answer = answer;
    }

    /** The ways a fact of this kind is stated. */
    public List<String> statements() {
        return statements;
    }

    /** The questions that ask for it. */
    public List<String> questions() {
        return questions;
    }

    /** The answer sentence. */
    public String answerTemplate() {
        return answer;
    }

    /** A random statement of the fact. */
    public String state(SplittableRandom random, String company, String value) {
        return fill(Names.pick(random, statements), company, value);
    }

    /** A random question for the fact. */
    public String ask(SplittableRandom random, String company) {
        return fill(Names.pick(random, questions), company, "");
    }

    /** The answer that restates the fact. */
    public String answer(String company, String value) {
        return fill(answer, company, value);
    }

    /**
     * A random value of this kind: a person for {@link #CEO} and {@link #FOUNDER} (on the given side of the name
     * split), a city, a staff count (a word up to ninety, or digits), a year, or a product.
     */
    public String randomValue(SplittableRandom random, boolean heldOutNames) {
        return switch (this) {
            case CEO, FOUNDER -> Names.person(random, heldOutNames);
            case HEADQUARTERS -> Names.pick(random, CITIES);
            case STAFF -> random.nextInt(3) == 0 ? Integer.toString(100 + random.nextInt(9900))
                    : Names.pick(random, NUMBER_WORDS);
            case FOUNDED -> Integer.toString(1900 + random.nextInt(125));
            case PRODUCT -> Names.pick(random, PRODUCTS);
        };
    }

    static String fill(String template, String company, String value) {
        return template.replace("{C}", company).replace("{V}", value);
    }
}
