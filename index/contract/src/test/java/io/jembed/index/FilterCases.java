package io.jembed.index;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Documents and filters every store must answer alike: a fixed corpus whose metadata has gaps
 * (missing fields), tags, negative and zero numbers, days and instants, and keywords whose code
 * point order differs from Java's string order; filter expressions over it; and random ones ({@link
 * RandomFilters}). The expected answer is always {@link Filter#test}.
 */
public final class FilterCases {
  /** Keywords in code point order; Java's compareTo puts the emoji (a surrogate pair) first. */
  static final String[] TITLES = {"Alpha", "alpha", "beta", "Ärger", "ｚ", "\uD83D\uDE00"};

  static final String[] LANGS = {"en", "de", "fr"};

  private FilterCases() {}

  /** The fixed corpus: 60 documents, each with a unit vector so that any store can take it. */
  public static List<Document> corpus(int dimension) {
    Random random = new Random(1234);
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      Document.Builder b =
          Document.builder("d" + i)
              .text("document number " + i + " about topic " + (i % 7))
              .vector(randomUnit(random, dimension));
      if (i % 5 != 0) {
        b.metadata("lang", LANGS[i % 3]);
      }
      if (i % 4 != 3) {
        b.metadata("year", 2000 + i % 20);
      }
      b.metadata("price", (i % 9) * 0.5 - 2.0); // -2.0 .. 2.0, with 0.0
      if (i % 6 != 1) {
        b.metadata("published", LocalDate.of(2020, 1, 1).plusDays(i));
      }
      if (i % 10 == 2) {
        b.metadata("seen", Instant.parse("2024-05-01T12:00:00Z").plusSeconds(i * 3600L));
      }
      b.metadata("tags", i % 8 == 0 ? List.of("x y") : List.of("t" + (i % 3), "all"));
      b.metadata("title", TITLES[i % TITLES.length]);
      docs.add(b.build());
    }
    return docs;
  }

  /**
   * Filter expressions over {@link #corpus}, each with the number of documents it must match (so
   * the reference itself is checked by hand, not only trusted).
   */
  public static Map<String, Integer> expressions() {
    return Map.ofEntries(
        Map.entry("lang == 'en'", 16),
        Map.entry("lang=en", 16),
        Map.entry("lang != 'en'", 44), // 28 de/fr + 12 without lang
        Map.entry("NOT (lang == 'en')", 44),
        Map.entry("lang NOT IN ['en', 'de']", 28), // 16 fr + 12 without lang
        Map.entry("lang IN ['en', 'de']", 32),
        Map.entry("lang IS NULL", 12),
        Map.entry("lang IS NOT NULL", 48),
        Map.entry("year >= 2015", 9),
        Map.entry("year>=2015 AND lang=de", 3),
        Map.entry("year < 2003 OR year IS NULL", 24),
        Map.entry("NOT (year < 2003)", 51),
        Map.entry("price == 0", 7),
        Map.entry("price == -0.0", 7),
        Map.entry("price > -0.5 AND price <= 1", 20),
        Map.entry("published == 2020-01-05", 1),
        Map.entry("published > 2020-02-01 AND published < '2020-02-05'", 3),
        Map.entry("published >= 2020-02-25", 4),
        Map.entry("seen >= 2024-05-02", 5),
        Map.entry("seen == 2024-05-02T10:00:00Z", 1),
        Map.entry("tags == 't1'", 18),
        Map.entry("tags != 't1'", 42),
        Map.entry("tags IN ['t0', 'x y']", 25),
        Map.entry("tags CONTAINS ' '", 8),
        Map.entry("title CONTAINS 'lph'", 20),
        Map.entry("title > 'ｚ'", 10),
        Map.entry("title < 'b'", 20),
        Map.entry("title >= 'Ärger' AND title < '\uD83D\uDE00'", 20),
        Map.entry("(lang == 'en' OR lang == 'fr') AND NOT (year > 2010 OR year IS NULL)", 12),
        Map.entry("lang == 'en' OR lang == 'fr' AND year > 2010", 22));
  }

  static float[] randomUnit(Random random, int dimension) {
    float[] v = new float[dimension];
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < dimension; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }
}
