package io.jembed.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FilterSemanticsTest {
  @Test
  void theFixedCasesCountWhatTheyClaim() {
    List<Document> docs = FilterCases.corpus(8);
    StringBuilder diffs = new StringBuilder();
    for (Map.Entry<String, Integer> e : new TreeMap<>(FilterCases.expressions()).entrySet()) {
      Filter f = Filter.parse(e.getKey());
      long n = docs.stream().filter(d -> f.test(d.metadata())).count();
      if (n != e.getValue()) {
        diffs
            .append(n)
            .append(" vs ")
            .append(e.getValue())
            .append("  ")
            .append(e.getKey())
            .append('\n');
      }
    }
    assertThat(diffs.toString()).isEmpty();
  }

  @Test
  void missingFieldsFailEveryPredicateAndNotIsTheComplement() {
    Map<String, Object> none = Map.of();
    assertThat(Filter.parse("lang == 'en'").test(none)).isFalse();
    assertThat(Filter.parse("lang != 'en'").test(none)).isTrue();
    assertThat(Filter.parse("lang IN ['en']").test(none)).isFalse();
    assertThat(Filter.parse("lang NOT IN ['en']").test(none)).isTrue();
    assertThat(Filter.parse("year > 1").test(none)).isFalse();
    assertThat(Filter.parse("NOT (year > 1)").test(none)).isTrue();
    assertThat(Filter.parse("lang CONTAINS 'e'").test(none)).isFalse();
    assertThat(Filter.parse("lang IS NULL").test(none)).isTrue();
    assertThat(Filter.parse("lang IS NOT NULL").test(none)).isFalse();
  }

  @Test
  void valuesAreReadByTheFieldsType() {
    Map<String, Object> doc =
        Map.of(
            "year",
            2020,
            "code",
            "007",
            "tags",
            List.of("a", "b"),
            "day",
            LocalDate.of(2024, 5, 1),
            "at",
            Instant.parse("2024-05-01T12:00:00Z"),
            "flag",
            true);
    assertThat(Filter.parse("year == '2020'").test(doc)).isTrue();
    assertThat(Filter.parse("year == 2020.0").test(doc)).isTrue();
    assertThat(Filter.parse("code == 007").test(doc)).isTrue(); // not canonical: kept as text
    assertThat(Filter.parse("code == 7").test(doc)).isFalse();
    assertThat(Filter.parse("tags == 'b' AND tags != 'c'").test(doc)).isTrue();
    assertThat(Filter.parse("tags != 'a'").test(doc)).isFalse(); // one value equals
    assertThat(Filter.parse("day == 2024-05-01").test(doc)).isTrue();
    assertThat(Filter.parse("at == 2024-05-01").test(doc)).isTrue(); // an instant in that day
    assertThat(Filter.parse("at > 2024-05-01").test(doc)).isFalse(); // after the whole day
    assertThat(Filter.parse("at >= '2024-05-01T12:00:00Z'").test(doc)).isTrue();
    assertThat(Filter.parse("flag == true").test(doc)).isTrue(); // a boolean is kept as text
    assertThatThrownBy(() -> Filter.parse("year > 'soon'").test(doc))
        .hasMessage("filter on numeric field 'year' needs a number, got 'soon'");
    assertThatThrownBy(() -> Filter.parse("year CONTAINS '2'").test(doc))
        .hasMessageContaining("CONTAINS needs a keyword field");
  }

  @Test
  void springAiExpressionsParse() {
    assertThat(Filter.parse("country == 'UK' && year >= 2020 && isActive == true"))
        .isEqualTo(
            Filter.and(
                Filter.eq("country", "UK"), Filter.gte("year", 2020), Filter.eq("isActive", true)));
    assertThat(Filter.parse("genre in ['comedy', 'drama'] || NOT(year < 2020)"))
        .isEqualTo(
            Filter.or(Filter.in("genre", "comedy", "drama"), Filter.not(Filter.lt("year", 2020))));
    assertThat(Filter.parse("author NIN [\"john\", 'jill'] and article_type IS NOT NULL"))
        .isEqualTo(
            Filter.and(Filter.notIn("author", "john", "jill"), Filter.isNotNull("article_type")));
    assertThat(Filter.parse("a not in (1, 2.5) OR b is null"))
        .isEqualTo(Filter.or(Filter.notIn("a", 1L, 2.5), Filter.isNull("b")));
    assertThat(Filter.parse("'my field' <> 'it\\'s'")).isEqualTo(Filter.ne("my field", "it's"));
  }

  @Test
  void notBindsTighterThanAndWhichBindsTighterThanOr() {
    assertThat(Filter.parse("NOT a == 1 AND b == 2 OR c == 3"))
        .isEqualTo(
            Filter.or(
                Filter.and(Filter.not(Filter.eq("a", 1)), Filter.eq("b", 2)), Filter.eq("c", 3)));
    assertThat(Filter.parse("a == 1 AND (b == 2 OR c == 3)").toString())
        .isEqualTo("a == 1 AND (b == 2 OR c == 3)");
  }

  @Test
  void malformedExpressionsSayWhereAndWhatWasExpected() {
    assertError("year >= ", 9, "a value");
    assertError("year >= )", 9, "a value");
    assertError("lang == 'en' AND", 17, "a field name");
    assertError("lang == 'en' lang", 14, "AND, OR or the end");
    assertError("(lang == 'en'", 14, "')' to close the '(' at column 1");
    assertError("lang 'en'", 6, "a comparison");
    assertError("lang == 'en", 9, "closing '");
    assertError("lang IN 'en'", 9, "a list of values");
    assertError("lang IN ['en' 'de']", 15, "']' or ','");
    assertError("lang == null", 9, "IS NULL");
    assertError("lang IS 'x'", 9, "NULL or NOT NULL");
    assertError("lang ! 'x'", 6, "!=");
    assertError("a == 1 & b == 2", 8, "&&");
    assertError("", 1, "a filter");
    assertError("a == 1)", 7, "closes nothing");
  }

  private static void assertError(String expression, int column, String expected) {
    assertThatThrownBy(() -> Filter.parse(expression))
        .isInstanceOfSatisfying(
            FilterSyntaxException.class,
            e -> {
              assertThat(e.column()).as(e.getMessage()).isEqualTo(column);
              assertThat(e.expected()).contains(expected);
              assertThat(e.getMessage())
                  .startsWith("bad filter '" + expression + "': at column " + column);
            });
  }

  @Property(tries = 500)
  void everyFilterPrintsAsTextThatParsesBackToIt(@ForAll("filters") Filter filter) {
    assertThat(Filter.parse(filter.toString())).isEqualTo(filter);
  }

  @Provide
  Arbitrary<Filter> filters() {
    return Arbitraries.randomValue(r -> RandomFilters.filter(r, 3));
  }

  @Property(tries = 300)
  void textAndTreeAgreeOnRandomDocuments(
      @ForAll("filters") Filter filter, @ForAll("seeds") long seed) {
    Random r = new Random(seed);
    Document d = RandomFilters.document(r, "x", new float[] {1});
    Filter reparsed = Filter.parse(filter.toString());
    assertThat(reparsed.test(d.metadata())).isEqualTo(filter.test(d.metadata()));
    // NOT is the complement, whatever the document holds
    assertThat(Filter.not(filter).test(d.metadata())).isNotEqualTo(filter.test(d.metadata()));
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }
}
