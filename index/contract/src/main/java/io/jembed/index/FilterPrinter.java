package io.jembed.index;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A filter in its text form, which {@link FilterParser} reads back to an equal filter. */
final class FilterPrinter {
  private static final Pattern BARE_FIELD = Pattern.compile("[A-Za-z_][\\w.\\-]*");

  private FilterPrinter() {}

  static String print(Filter filter) {
    return switch (filter) {
      case Filter.Compare c ->
          field(c.field()) + " " + c.operator().symbol() + " " + value(c.value());
      case Filter.In in -> field(in.field()) + " IN " + list(in.values());
      case Filter.NotIn nin -> field(nin.field()) + " NOT IN " + list(nin.values());
      case Filter.IsNull n -> field(n.field()) + " IS NULL";
      case Filter.IsNotNull n -> field(n.field()) + " IS NOT NULL";
      case Filter.Contains c -> field(c.field()) + " CONTAINS " + quote(c.text());
      case Filter.And and -> join(and.filters(), " AND ");
      case Filter.Or or -> join(or.filters(), " OR ");
      case Filter.Not not -> "NOT (" + print(not.filter()) + ")";
    };
  }

  private static String join(List<Filter> filters, String operator) {
    return filters.stream().map(FilterPrinter::operand).collect(Collectors.joining(operator));
  }

  /** Groups are parenthesized inside other groups: the text says what the tree is. */
  private static String operand(Filter f) {
    return f instanceof Filter.And || f instanceof Filter.Or ? "(" + print(f) + ")" : print(f);
  }

  private static String field(String name) {
    return BARE_FIELD.matcher(name).matches() && !FilterParser.isReserved(name)
        ? name
        : quote(name);
  }

  private static String list(List<Object> values) {
    return values.stream().map(FilterPrinter::value).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String value(Object v) {
    return v instanceof String s ? quote(s) : v.toString();
  }

  private static String quote(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
