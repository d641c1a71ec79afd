package io.jembed.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.index.Filter;
import io.jembed.index.SearchMode;
import io.jembed.index.SearchRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON of {@code POST /search} turned into the index module's {@link SearchRequest}. */
final class SearchQueries {
  private SearchQueries() {}

  /** A parsed search; the query vector is added once the batcher has encoded it. */
  record Query(String text, int k, SearchMode searchMode, List<Filter> filters) {
    boolean needsVector() {
      return searchMode != SearchMode.KEYWORD;
    }

    String mode() {
      return searchMode.name().toLowerCase(Locale.ROOT);
    }

    SearchRequest toRequest(float[] vector) {
      SearchRequest.Builder b = SearchRequest.builder().query(text).k(k).mode(searchMode);
      if (vector != null) {
        b.vector(vector);
      }
      return b.filters(filters).build();
    }
  }

  /**
   * Filters are an expression in jembed's filter language ({@code "year >= 2020 AND lang IN ['en',
   * 'de']"}), an array of expressions that must all hold ({@code ["year>=2020", "lang=en"]}), or an
   * object of exact matches ({@code {"lang": "en", "year": 2024}}).
   */
  static Query parse(String text, int k, String mode, JsonNode filters) {
    SearchMode m = mode == null ? SearchMode.VECTOR : SearchMode.parse(mode);
    List<Filter> list = new ArrayList<>();
    if (filters == null || filters.isNull()) {
      // none
    } else if (filters.isTextual()) {
      list.add(Filter.parse(filters.asText()));
    } else if (filters.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = filters.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (!v.isValueNode() || v.isNull()) {
          throw new IllegalArgumentException(
              "filter '" + e.getKey() + "' must be a string, number or boolean");
        }
        Object value =
            v.isIntegralNumber()
                ? (Object) v.asLong()
                : v.isNumber() ? (Object) v.asDouble() : v.isBoolean() ? v.asBoolean() : v.asText();
        list.add(Filter.eq(e.getKey(), value));
      }
    } else if (filters.isArray()) {
      for (JsonNode f : filters) {
        if (!f.isTextual()) {
          throw new IllegalArgumentException(
              "filters must be strings like \"year >= 2020\", got " + f);
        }
        list.add(Filter.parse(f.asText()));
      }
    } else {
      throw new IllegalArgumentException(
          "filters must be an expression (\"year >= 2020 AND lang == 'en'\"), an array of them,"
              + " or an object {\"field\": value}");
    }
    return new Query(text, k, m, list);
  }
}
