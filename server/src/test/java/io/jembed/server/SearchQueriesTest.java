package io.jembed.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.index.Filter;
import org.junit.jupiter.api.Test;

class SearchQueriesTest {
  final ObjectMapper json = new ObjectMapper();

  @Test
  void filtersAreAnExpressionAnArrayOfThemOrExactMatches() throws Exception {
    assertThat(
            SearchQueries.parse(
                    "q", 5, null, json.readTree("\"year >= 2020 AND lang IN ['en', 'de']\""))
                .filters())
        .containsExactly(Filter.and(Filter.gte("year", 2020), Filter.in("lang", "en", "de")));
    assertThat(
            SearchQueries.parse(
                    "q", 5, null, json.readTree("[\"year>=2020\", \"NOT (lang = en)\"]"))
                .filters())
        .containsExactly(Filter.gte("year", 2020), Filter.not(Filter.eq("lang", "en")));
    assertThat(
            SearchQueries.parse(
                    "q", 5, null, json.readTree("{\"lang\": \"en\", \"year\": 2024, \"x\": true}"))
                .filters())
        .containsExactly(Filter.eq("lang", "en"), Filter.eq("year", 2024), Filter.eq("x", true));
  }

  @Test
  void aMalformedExpressionSaysWhereAndWhat() {
    assertThatThrownBy(() -> SearchQueries.parse("q", 5, null, json.readTree("\"year >= \"")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at column 9 expected a value");
    assertThatThrownBy(() -> SearchQueries.parse("q", 5, null, json.readTree("3")))
        .hasMessageContaining("filters must be an expression");
  }
}
