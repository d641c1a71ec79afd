package io.jembed.index;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A metadata condition, store-neutral: one sealed tree of records that every store translates to
 * its own typed query (Lucene {@code Query} objects, SQL with bind parameters, OpenSearch query
 * builders), and that evaluates itself with {@link #test(Map)}: the reference semantics every store
 * must match.
 *
 * <p>Values are strings, numbers, booleans and dates ({@link Instant}, {@link
 * java.time.LocalDate}); a value is read by the type of the field it is compared with (see {@link
 * MetadataValues}): a keyword compares as text, a number field parses a numeric string, a date
 * field reads an ISO date ({@code 2024-05-01}: the whole UTC day) or instant.
 *
 * <p><b>Missing fields.</b> A comparison, IN and CONTAINS are false on a document without the
 * field; NOT is the plain complement. So {@code lang != 'en'}, {@code lang NOT IN ['en']} and
 * {@code NOT (lang == 'en')} all hold for a document with no {@code lang} (as LangChain4j's
 * IsNotEqualTo and IsNotIn evaluate). On a multi-valued keyword field (tags) a comparison holds if
 * any value satisfies it, and {@code !=} holds if none equals.
 *
 * <p>The text form ({@link #parse}, and {@link #toString()} which prints it back) follows Spring
 * AI's filter expressions: {@code year >= 2020 AND (lang == 'en' OR lang IN ['de', 'fr']) AND NOT
 * (draft == true)}; see {@link FilterParser} for the grammar.
 */
public sealed interface Filter {

  /** Whether a document with this metadata passes: the reference semantics of every store. */
  default boolean test(Map<String, ?> metadata) {
    return FilterEvaluator.test(this, metadata);
  }

  /** The comparison operators. */
  enum Operator {
    EQ("=="),
    NE("!="),
    GT(">"),
    GTE(">="),
    LT("<"),
    LTE("<=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    /** As the text form writes it. */
    public String symbol() {
      return symbol;
    }
  }

  /** {@code field OP value}: ==, !=, &gt;, &gt;=, &lt;, &lt;=. */
  record Compare(String field, Operator operator, Object value) implements Filter {
    public Compare {
      requireField(field);
      Objects.requireNonNull(operator, "operator");
      value = MetadataValues.filterValue(field, value);
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  /** {@code field IN [v1, v2, ...]}: the field equals one of the values. */
  record In(String field, List<Object> values) implements Filter {
    public In {
      requireField(field);
      values = filterValues(field, values);
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  /** {@code field NOT IN [v1, v2, ...]}: the field equals none of the values (or is missing). */
  record NotIn(String field, List<Object> values) implements Filter {
    public NotIn {
      requireField(field);
      values = filterValues(field, values);
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  /** {@code field IS NULL}: the document has no such field. */
  record IsNull(String field) implements Filter {
    public IsNull {
      requireField(field);
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  /** {@code field IS NOT NULL}: the document has the field. */
  record IsNotNull(String field) implements Filter {
    public IsNotNull {
      requireField(field);
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  /** {@code field CONTAINS 'text'}: a keyword value contains the text (case-sensitive). */
  record Contains(String field, String text) implements Filter {
    public Contains {
      requireField(field);
      Objects.requireNonNull(text, "the text a CONTAINS filter looks for");
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  /** Every filter holds (at least two; {@link Filter#and} takes any number). */
  record And(List<Filter> filters) implements Filter {
    public And {
      filters = operands("AND", filters);
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  /** At least one filter holds (at least two; {@link Filter#or} takes any number). */
  record Or(List<Filter> filters) implements Filter {
    public Or {
      filters = operands("OR", filters);
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  /** The filter does not hold (the complement: true where a field is missing). */
  record Not(Filter filter) implements Filter {
    public Not {
      Objects.requireNonNull(filter, "filter");
    }

    @Override
    public String toString() {
      return FilterPrinter.print(this);
    }
  }

  // ------------------------------------------------------------------------------- factories

  /**
   * Parses the text form: {@code year >= 2020 AND lang IN ['en', 'de']}, and the short forms the
   * command line always took ({@code lang=en}, {@code year>=2022}).
   *
   * @throws FilterSyntaxException with the column and what was expected
   */
  static Filter parse(String expression) {
    return FilterParser.parse(expression);
  }

  static Filter eq(String field, Object value) {
    return new Compare(field, Operator.EQ, value);
  }

  /** Same as {@link #eq}: the field equals the value (a tag list: one of its values does). */
  static Filter term(String field, Object value) {
    return eq(field, value);
  }

  static Filter ne(String field, Object value) {
    return new Compare(field, Operator.NE, value);
  }

  static Filter gt(String field, Object value) {
    return new Compare(field, Operator.GT, value);
  }

  static Filter gte(String field, Object value) {
    return new Compare(field, Operator.GTE, value);
  }

  static Filter lt(String field, Object value) {
    return new Compare(field, Operator.LT, value);
  }

  static Filter lte(String field, Object value) {
    return new Compare(field, Operator.LTE, value);
  }

  static Filter in(String field, Collection<?> values) {
    return new In(field, new ArrayList<>(values));
  }

  static Filter in(String field, Object... values) {
    return new In(field, Arrays.asList(values));
  }

  static Filter notIn(String field, Collection<?> values) {
    return new NotIn(field, new ArrayList<>(values));
  }

  static Filter notIn(String field, Object... values) {
    return new NotIn(field, Arrays.asList(values));
  }

  static Filter isNull(String field) {
    return new IsNull(field);
  }

  static Filter isNotNull(String field) {
    return new IsNotNull(field);
  }

  static Filter contains(String field, String text) {
    return new Contains(field, text);
  }

  /** min &lt;= field &lt;= max (numbers). */
  static Filter range(String field, double min, double max) {
    return and(gte(field, min), lte(field, max));
  }

  static Filter atLeast(String field, double min) {
    return gte(field, min);
  }

  static Filter atMost(String field, double max) {
    return lte(field, max);
  }

  /** from &lt;= field &lt; to (dates); either may be null, not both. */
  static Filter between(String field, Instant from, Instant to) {
    if (from == null && to == null) {
      throw new IllegalArgumentException("a date range on '" + field + "' needs a bound");
    }
    List<Filter> bounds = new ArrayList<>();
    if (from != null) {
      bounds.add(gte(field, from));
    }
    if (to != null) {
      bounds.add(lt(field, to));
    }
    return and(bounds);
  }

  /** Every filter holds; one filter is itself. */
  static Filter and(Filter... filters) {
    return and(Arrays.asList(filters));
  }

  /** Every filter holds; one filter is itself, none is null (no condition). */
  static Filter and(List<Filter> filters) {
    return switch (filters.size()) {
      case 0 -> null;
      case 1 -> Objects.requireNonNull(filters.get(0), "filter");
      default -> new And(filters);
    };
  }

  /** Same as {@link #and(Filter...)}. */
  static Filter all(Filter... filters) {
    return and(filters);
  }

  /** At least one filter holds; one filter is itself. */
  static Filter or(Filter... filters) {
    return filters.length == 1 ? Objects.requireNonNull(filters[0]) : new Or(List.of(filters));
  }

  static Filter not(Filter filter) {
    return new Not(filter);
  }

  private static void requireField(String field) {
    if (field == null || field.isBlank()) {
      throw new IllegalArgumentException("a filter needs a field name");
    }
  }

  private static List<Object> filterValues(String field, List<?> values) {
    if (values == null || values.isEmpty()) {
      throw new IllegalArgumentException("IN on '" + field + "' needs at least one value");
    }
    List<Object> out = new ArrayList<>(values.size());
    for (Object v : values) {
      out.add(MetadataValues.filterValue(field, v));
    }
    return List.copyOf(out);
  }

  private static List<Filter> operands(String operator, List<Filter> filters) {
    List<Filter> copy = List.copyOf(filters); // refuses nulls
    if (copy.size() < 2) {
      throw new IllegalArgumentException(
          operator + " needs at least two filters, got " + copy.size());
    }
    return copy;
  }
}
