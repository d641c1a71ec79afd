package io.jembed.index;

import java.util.Map;

/**
 * Checks a filter against a store's fields before any store translates it, so every store refuses
 * the same filters with the same words: a field the store does not have, a value its field's type
 * cannot read, CONTAINS on a field that is not a keyword.
 */
public final class FilterCheck {
  private FilterCheck() {}

  /**
   * Throws {@link IllegalArgumentException} if the filter names a field that is not in {@code
   * fields} or a value that field's type cannot read.
   */
  public static void check(Filter filter, Map<String, FieldType> fields) {
    switch (filter) {
      case Filter.Compare c -> value(c.field(), type(c.field(), fields), c.value());
      case Filter.In in -> in.values().forEach(v -> value(in.field(), type(in.field(), fields), v));
      case Filter.NotIn nin ->
          nin.values().forEach(v -> value(nin.field(), type(nin.field(), fields), v));
      case Filter.IsNull n -> type(n.field(), fields);
      case Filter.IsNotNull n -> type(n.field(), fields);
      case Filter.Contains c -> {
        if (type(c.field(), fields) != FieldType.KEYWORD) {
          throw new IllegalArgumentException(containsNeedsKeyword(c.field()));
        }
      }
      case Filter.And and -> and.filters().forEach(f -> check(f, fields));
      case Filter.Or or -> or.filters().forEach(f -> check(f, fields));
      case Filter.Not not -> check(not.filter(), fields);
    }
  }

  /** The type of a field the store has, or the error that lists the fields it has. */
  public static FieldType type(String field, Map<String, FieldType> fields) {
    FieldType type = fields.get(field);
    if (type == null) {
      throw new IllegalArgumentException(
          "no metadata field '"
              + field
              + "' in this index"
              + (fields.isEmpty()
                  ? " (it has no metadata)"
                  : " (fields: "
                      + String.join(", ", new java.util.TreeSet<>(fields.keySet()))
                      + ")"));
    }
    return type;
  }

  private static void value(String field, FieldType type, Object value) {
    switch (type) {
      case KEYWORD -> MetadataValues.keyword(value);
      case NUMBER -> MetadataValues.number(field, value);
      case DATE -> MetadataValues.dateSpan(field, value);
    }
  }

  static String containsNeedsKeyword(String field) {
    return "CONTAINS needs a keyword field; '" + field + "' holds numbers or dates";
  }
}
