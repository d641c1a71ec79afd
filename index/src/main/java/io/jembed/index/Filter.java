package io.jembed.index;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A metadata condition, store-neutral: each store translates it to its own query language (Lucene
 * queries here; a bool filter in Elasticsearch, a WHERE clause in pgvector). Values are strings
 * read by the field's type: a keyword is compared as is, a numeric field parses a number, a date
 * field an ISO date ({@code 2024-05-01}) or instant ({@code 2024-05-01T12:00:00Z}).
 *
 * <p>Vector search applies filters inside the graph search, so k filtered hits come back even when
 * the filter is selective.
 */
public sealed interface Filter {

  /** The field equals the value (for a multi-valued keyword field: any of its values does). */
  record Term(String field, String value) implements Filter {
    public Term {
      requireField(field);
      Objects.requireNonNull(value, "filter value");
    }
  }

  /** The field lies between the bounds; a null bound is open. */
  record Range(
      String field, String lower, boolean lowerInclusive, String upper, boolean upperInclusive)
      implements Filter {
    public Range {
      requireField(field);
      if (lower == null && upper == null) {
        throw new IllegalArgumentException("range filter on '" + field + "' has no bound");
      }
    }
  }

  /** Every filter holds. */
  record All(List<Filter> filters) implements Filter {
    public All {
      filters = List.copyOf(filters);
    }
  }

  static Filter term(String field, String value) {
    return new Term(field, value);
  }

  /** min &lt;= field &lt;= max (numbers). */
  static Filter range(String field, double min, double max) {
    return new Range(field, num(min), true, num(max), true);
  }

  static Filter atLeast(String field, double min) {
    return new Range(field, num(min), true, null, false);
  }

  static Filter atMost(String field, double max) {
    return new Range(field, null, false, num(max), true);
  }

  /** from &lt;= field &lt; to (dates); either may be null. */
  static Filter between(String field, Instant from, Instant to) {
    return new Range(
        field,
        from == null ? null : from.toString(),
        true,
        to == null ? null : to.toString(),
        false);
  }

  static Filter all(Filter... filters) {
    return new All(List.of(filters));
  }

  Pattern EXPRESSION = Pattern.compile("^\\s*([\\w.\\-]+)\\s*(>=|<=|=|>|<)\\s*(.*?)\\s*$");

  /**
   * Parses {@code field=value}, {@code field>=value}, {@code field>value}, {@code field<=value} or
   * {@code field<value}, as the command line writes filters.
   */
  static Filter parse(String expression) {
    Matcher m = EXPRESSION.matcher(expression == null ? "" : expression);
    if (!m.matches() || m.group(3).isEmpty()) {
      throw new IllegalArgumentException(
          "bad filter '"
              + expression
              + "': write field=value, field>=value, field>value, field<=value or field<value");
    }
    String field = m.group(1);
    String value = m.group(3);
    return switch (m.group(2)) {
      case "=" -> new Term(field, value);
      case ">=" -> new Range(field, value, true, null, false);
      case ">" -> new Range(field, value, false, null, false);
      case "<=" -> new Range(field, null, false, value, true);
      default -> new Range(field, null, false, value, false);
    };
  }

  private static String num(double d) {
    return Double.toString(d);
  }

  private static void requireField(String field) {
    if (field == null || field.isBlank()) {
      throw new IllegalArgumentException("a filter needs a field name");
    }
  }
}
