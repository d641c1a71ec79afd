package io.jembed.index.pgvector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.index.FieldType;
import io.jembed.index.Filter;
import io.jembed.index.FilterCheck;
import io.jembed.index.MetadataValues;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link Filter} as a SQL condition on the {@code metadata} jsonb column, with every value and
 * every field name a bind parameter: nothing a user wrote is ever part of the SQL text.
 *
 * <p>Each comparison is typed by the field's type: keywords compare as text in code point order
 * ({@code COLLATE "C"}, the byte order of UTF-8) over the value or each value of a tag list;
 * numbers as {@code float8}; dates as timestamps, the ISO text in the document read back (a day is
 * its UTC midnight; an instant is always written in UTC), a day in a filter standing for its whole
 * span. Every comparison is made non-null ({@code coalesce(..., false)}, {@code EXISTS}), so that
 * AND, OR and NOT are two-valued and a missing field behaves as {@link Filter#test} says: false for
 * a comparison, IN and CONTAINS, true for their negations.
 *
 * <p>Equality and IN on keywords (tags included) are jsonb containment ({@code @>}), which the GIN
 * index on {@code metadata} serves; ranges, numbers, dates, CONTAINS and IS NULL are checked row by
 * row on the rows the rest of the query selects.
 */
final class PgFilters {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A SQL condition and its parameters, in order. */
  record Condition(String sql, List<Object> parameters) {
    static final Condition TRUE = new Condition("TRUE", List.of());

    /** Binds the parameters from position {@code first}; returns the next free position. */
    int bind(PreparedStatement statement, int first) throws SQLException {
      int i = first;
      for (Object p : parameters) {
        statement.setObject(i++, p);
      }
      return i;
    }
  }

  private final Map<String, FieldType> fields;
  private final StringBuilder sql = new StringBuilder();
  private final List<Object> parameters = new ArrayList<>();

  private PgFilters(Map<String, FieldType> fields) {
    this.fields = fields;
  }

  /** The condition for {@code filter} (checked against {@code fields} already); TRUE for null. */
  static Condition toSql(Filter filter, Map<String, FieldType> fields) {
    if (filter == null) {
      return Condition.TRUE;
    }
    PgFilters f = new PgFilters(fields);
    f.append(filter);
    return new Condition(f.sql.toString(), List.copyOf(f.parameters));
  }

  private void append(Filter filter) {
    switch (filter) {
      case Filter.And and -> group(and.filters(), " AND ");
      case Filter.Or or -> group(or.filters(), " OR ");
      case Filter.Not not -> {
        sql.append("(NOT ");
        append(not.filter());
        sql.append(')');
      }
      case Filter.IsNull n -> field("(metadata -> ?) IS NULL", n.field());
      case Filter.IsNotNull n -> field("(metadata -> ?) IS NOT NULL", n.field());
      case Filter.Contains c -> {
        anyKeyword(c.field(), "strpos(x, ?) > 0");
        parameters.add(c.text());
      }
      case Filter.In in -> anyEqual(in.field(), in.values());
      case Filter.NotIn nin -> {
        sql.append("(NOT ");
        anyEqual(nin.field(), nin.values());
        sql.append(')');
      }
      case Filter.Compare c -> compare(c);
    }
  }

  private void group(List<Filter> filters, String operator) {
    sql.append('(');
    for (int i = 0; i < filters.size(); i++) {
      if (i > 0) {
        sql.append(operator);
      }
      append(filters.get(i));
    }
    sql.append(')');
  }

  private void compare(Filter.Compare c) {
    switch (c.operator()) {
      case EQ -> anyEqual(c.field(), List.of(c.value()));
      case NE -> {
        sql.append("(NOT ");
        anyEqual(c.field(), List.of(c.value()));
        sql.append(')');
      }
      default -> {
        String op = c.operator().symbol();
        switch (FilterCheck.type(c.field(), fields)) {
          case KEYWORD -> {
            anyKeyword(c.field(), "x COLLATE \"C\" " + op + " ?");
            parameters.add(MetadataValues.keyword(c.value()));
          }
          case NUMBER -> {
            field("coalesce((metadata ->> ?)::float8 " + op + " ?, false)", c.field());
            parameters.add(MetadataValues.number(c.field(), c.value()));
          }
          case DATE -> {
            long[] span = MetadataValues.dateSpan(c.field(), c.value());
            // after a day is after its last millisecond; before it, before its first
            long bound = op.startsWith(">") == op.endsWith("=") ? span[0] : span[1];
            field("coalesce((metadata ->> ?)::timestamp " + op + " ?, false)", c.field());
            parameters.add(timestamp(bound));
          }
        }
      }
    }
  }

  /** The field equals one of the values (as its type reads them); false when it is missing. */
  private void anyEqual(String field, List<Object> values) {
    FieldType type = FilterCheck.type(field, fields);
    sql.append('(');
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sql.append(" OR ");
      }
      Object v = values.get(i);
      switch (type) {
        case KEYWORD -> {
          // a value or a tag list holding it: jsonb containment, served by the GIN index
          String text = MetadataValues.keyword(v);
          ObjectNode scalar = JSON.createObjectNode().put(field, text);
          ObjectNode list = JSON.createObjectNode();
          list.putArray(field).add(text);
          sql.append("metadata @> ?::jsonb OR metadata @> ?::jsonb");
          parameters.add(scalar.toString());
          parameters.add(list.toString());
        }
        case NUMBER -> {
          field("coalesce((metadata ->> ?)::float8 = ?, false)", field);
          parameters.add(MetadataValues.number(field, v));
        }
        case DATE -> {
          long[] span = MetadataValues.dateSpan(field, v);
          field("coalesce((metadata ->> ?)::timestamp BETWEEN ? AND ?, false)", field);
          parameters.add(timestamp(span[0]));
          parameters.add(timestamp(span[1]));
        }
      }
    }
    sql.append(')');
  }

  /**
   * Some keyword of the field (its value, or any value of its tag list) satisfies {@code condition}
   * on {@code x}; the caller adds the condition's parameters.
   */
  private void anyKeyword(String field, String condition) {
    field(
        "EXISTS (SELECT 1 FROM jsonb_array_elements_text(jsonb_path_query_array(metadata -> ?,"
            + " 'lax $[*]')) AS v(x) WHERE "
            + condition
            + ")",
        field);
  }

  private void field(String condition, String field) {
    sql.append(condition);
    parameters.add(field);
  }

  /** Epoch milliseconds as the UTC wall-clock time that documents' ISO texts read as. */
  private static LocalDateTime timestamp(long epochMillis) {
    return LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
  }
}
