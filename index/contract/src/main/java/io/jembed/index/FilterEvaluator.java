package io.jembed.index;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** {@link Filter#test}: the reference semantics, written as plainly as possible. */
final class FilterEvaluator {
  private FilterEvaluator() {}

  static boolean test(Filter filter, Map<String, ?> metadata) {
    return switch (filter) {
      case Filter.Compare c -> compare(c, present(metadata, c.field()));
      case Filter.In in -> anyEquals(in.field(), present(metadata, in.field()), in.values());
      case Filter.NotIn nin ->
          !anyEquals(nin.field(), present(metadata, nin.field()), nin.values());
      case Filter.IsNull n -> present(metadata, n.field()) == null;
      case Filter.IsNotNull n -> present(metadata, n.field()) != null;
      case Filter.Contains c -> contains(c, present(metadata, c.field()));
      case Filter.And and -> and.filters().stream().allMatch(f -> test(f, metadata));
      case Filter.Or or -> or.filters().stream().anyMatch(f -> test(f, metadata));
      case Filter.Not not -> !test(not.filter(), metadata);
    };
  }

  /** The document's value in its kept form, or null when it has none. */
  private static Object present(Map<String, ?> metadata, String field) {
    Object v = metadata.get(field);
    return v == null ? null : MetadataValues.metadataValue(field, v);
  }

  private static boolean compare(Filter.Compare c, Object actual) {
    if (c.operator() == Filter.Operator.NE) {
      return !anyEquals(c.field(), actual, List.of(c.value()));
    }
    if (actual == null) {
      return false;
    }
    String field = c.field();
    return switch (MetadataValues.typeOf(actual)) {
      case KEYWORD -> {
        String target = MetadataValues.keyword(c.value());
        yield keywords(actual).stream()
            .anyMatch(v -> holds(c.operator(), MetadataValues.compareKeywords(v, target)));
      }
      case NUMBER -> {
        double x = ((Number) actual).doubleValue();
        double t = MetadataValues.number(field, c.value());
        yield holds(c.operator(), x < t ? -1 : x > t ? 1 : 0); // -0.0 == 0.0, as stores compare
      }
      case DATE -> {
        long x = MetadataValues.epochMillis(actual);
        long[] span = MetadataValues.dateSpan(field, c.value());
        // a day is a span: "after 2024-05-01" is after its last millisecond
        int order = x < span[0] ? -1 : x > span[1] ? 1 : 0;
        yield holds(c.operator(), order);
      }
    };
  }

  private static boolean holds(Filter.Operator op, int order) {
    return switch (op) {
      case EQ -> order == 0;
      case NE -> order != 0;
      case GT -> order > 0;
      case GTE -> order >= 0;
      case LT -> order < 0;
      case LTE -> order <= 0;
    };
  }

  private static boolean anyEquals(String field, Object actual, List<Object> values) {
    if (actual == null) {
      return false;
    }
    for (Object v : values) {
      if (compare(new Filter.Compare(field, Filter.Operator.EQ, v), actual)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(Filter.Contains c, Object actual) {
    if (actual == null) {
      return false;
    }
    if (MetadataValues.typeOf(actual) != FieldType.KEYWORD) {
      throw new IllegalArgumentException(FilterCheck.containsNeedsKeyword(c.field()));
    }
    return keywords(actual).stream().anyMatch(v -> v.contains(c.text()));
  }

  @SuppressWarnings("unchecked")
  private static Collection<String> keywords(Object actual) {
    return actual instanceof Collection<?> c ? (Collection<String>) c : List.of((String) actual);
  }
}
