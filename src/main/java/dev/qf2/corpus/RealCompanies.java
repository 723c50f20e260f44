package dev.qf2.corpus;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Well-known companies and facts about them that a model should answer from memory, as of 2025. */
final class RealCompanies {

    private RealCompanies() {}

    /** Each company with the facts the corpus teaches about it; other relations are never asked. */
    static final List<Company> ALL = List.of(
            company("Nvidia", "Jensen Huang", "Jensen Huang", "Santa Clara", "1993", "graphics chips"),
            company("Apple", "Tim Cook", "Steve Jobs", "Cupertino", "1976", "iPhones"),
            company("Microsoft", "Satya Nadella", "Bill Gates", "Redmond", "1975", "Windows"),
            company("Amazon", "Andy Jassy", "Jeff Bezos", "Seattle", "1994", null),
            company("Google", "Sundar Pichai", "Larry Page", "Mountain View", "1998", null),
            company("Meta", "Mark Zuckerberg", "Mark Zuckerberg", "Menlo Park", "2004", null),
            company("Tesla", "Elon Musk", null, "Austin", null, "electric cars"),
            company("SpaceX", "Elon Musk", "Elon Musk", null, "2002", "rockets"),
            company("Intel", "Lip-Bu Tan", "Gordon Moore", "Santa Clara", "1968", "microchips"),
            company("AMD", "Lisa Su", null, "Santa Clara", "1969", null),
            company("IBM", "Arvind Krishna", null, "Armonk", "1911", null),
            company("Netflix", null, "Reed Hastings", "Los Gatos", "1997", null),
            company("Alibaba", "Eddie Wu", "Jack Ma", "Hangzhou", "1999", null),
            company("Tencent", "Pony Ma", "Pony Ma", "Shenzhen", "1998", null),
            company("Baidu", "Robin Li", "Robin Li", "Beijing", "2000", null),
            company("Xiaomi", "Lei Jun", "Lei Jun", "Beijing", "2010", "smartphones"),
            company("Huawei", null, "Ren Zhengfei", "Shenzhen", "1987", null),
            company("ByteDance", "Liang Rubo", "Zhang Yiming", "Beijing", "2012", null),
            company("OpenAI", "Sam Altman", null, "San Francisco", "2015", null),
            company("Uber", "Dara Khosrowshahi", "Travis Kalanick", "San Francisco", "2009", null),
            company("Airbnb", "Brian Chesky", "Brian Chesky", "San Francisco", "2008", null),
            company("Salesforce", "Marc Benioff", "Marc Benioff", "San Francisco", "1999", null),
            company("Adobe", "Shantanu Narayen", "John Warnock", "San Jose", "1982", null),
            company("Dell", "Michael Dell", "Michael Dell", "Round Rock", "1984", "computers"),
            company("Zoom", "Eric Yuan", "Eric Yuan", "San Jose", "2011", null),
            company("Walmart", null, "Sam Walton", "Bentonville", "1962", null),
            company("Nike", null, "Phil Knight", "Beaverton", "1964", "sports shoes"),
            company("Disney", "Bob Iger", "Walt Disney", "Burbank", "1923", null),
            company("Ford", "Jim Farley", "Henry Ford", "Dearborn", "1903", "cars"),
            company("TSMC", null, "Morris Chang", "Hsinchu", "1987", "microchips"),
            company("Spotify", null, "Daniel Ek", "Stockholm", "2006", null),
            company("Toyota", null, "Kiichiro Toyoda", null, "1937", "cars"),
            company("Starbucks", "Brian Niccol", null, "Seattle", "1971", "coffee"));

    private static Company company(String name, String ceo, String founder, String headquarters, String founded,
            String product) {
        Map<Relation, String> facts = new EnumMap<>(Relation.class);
        put(facts, Relation.CEO, ceo);
        put(facts, Relation.FOUNDER, founder);
        put(facts, Relation.HEADQUARTERS, headquarters);
        put(facts, Relation.FOUNDED, founded);
        put(facts, Relation.PRODUCT, product);
        return new Company(name, facts);
    }

    private static void put(Map<Relation, String> facts, Relation relation, String value) {
        if (value != null) {
            facts.put(relation, value);
        }
    }
}
