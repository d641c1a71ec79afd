package io.jembed.index;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random documents and random filters over the same small fields, so that values collide and every
 * operator meets matches, misses and missing fields. For comparing a store's answers with {@link
 * Filter#test} (property tests, and the contract suite with a fixed seed).
 */
public final class RandomFilters {
  static final String[] KEYWORDS = {"a", "b", "B", "é", "a b", "ｚ", "\uD83D\uDE00", "a*", "?"};
  static final double[] NUMBERS = {-2, -1.5, -0.0, 0, 0.5, 1, 3, 1e9};
  static final String[] FIELDS = {"kw", "num", "day", "tags"};

  private RandomFilters() {}

  /** A document with each field present or missing at random. */
  public static Document document(Random r, String id, float[] vector) {
    Document.Builder b = Document.builder(id).text("text of " + id).vector(vector);
    if (r.nextInt(4) > 0) {
      b.metadata("kw", pick(r, KEYWORDS));
    }
    if (r.nextInt(4) > 0) {
      double n = NUMBERS[r.nextInt(NUMBERS.length)];
      b.metadata("num", r.nextBoolean() && n == Math.rint(n) ? (Object) (long) n : (Object) n);
    }
    if (r.nextInt(4) > 0) {
      b.metadata(
          "day",
          r.nextBoolean()
              ? LocalDate.of(2024, 1, 1 + r.nextInt(5))
              : Instant.parse("2024-01-01T00:00:00Z").plusSeconds(r.nextInt(5 * 24) * 3600L));
    }
    if (r.nextInt(4) > 0) {
      List<String> tags = new ArrayList<>();
      int n = 1 + r.nextInt(3);
      for (int i = 0; i < n; i++) {
        tags.add(pick(r, KEYWORDS));
      }
      b.metadata("tags", tags);
    }
    return b.build();
  }

  /** A random filter at most {@code depth} levels deep. */
  public static Filter filter(Random r, int depth) {
    if (depth > 0 && r.nextInt(3) == 0) {
      return switch (r.nextInt(3)) {
        case 0 -> new Filter.And(List.of(filter(r, depth - 1), filter(r, depth - 1)));
        case 1 -> new Filter.Or(List.of(filter(r, depth - 1), filter(r, depth - 1)));
        default -> new Filter.Not(filter(r, depth - 1));
      };
    }
    String field = pick(r, FIELDS);
    return switch (r.nextInt(6)) {
      case 0, 1 -> new Filter.Compare(field, pick(r, Filter.Operator.values()), value(r, field));
      case 2 -> new Filter.In(field, List.of(value(r, field), value(r, field)));
      case 3 -> new Filter.NotIn(field, List.of(value(r, field)));
      case 4 -> r.nextBoolean() ? new Filter.IsNull(field) : new Filter.IsNotNull(field);
      default ->
          field.equals("kw") || field.equals("tags")
              ? new Filter.Contains(field, pick(r, new String[] {"a", " ", "*", "?", ""}))
              : new Filter.IsNotNull(field);
    };
  }

  /** A value the field's type reads, in any of the forms a caller may give. */
  static Object value(Random r, String field) {
    return switch (field) {
      case "kw", "tags" -> pick(r, KEYWORDS);
      case "num" -> {
        double n = NUMBERS[r.nextInt(NUMBERS.length)];
        yield switch (r.nextInt(3)) {
          case 0 -> n;
          case 1 -> Double.toString(n);
          default -> (long) n;
        };
      }
      default -> {
        LocalDate day = LocalDate.of(2024, 1, 1 + r.nextInt(5));
        yield switch (r.nextInt(3)) {
          case 0 -> day;
          case 1 -> day.toString();
          default ->
              day.atStartOfDay(java.time.ZoneOffset.UTC)
                  .toInstant()
                  .plusSeconds(3600L * r.nextInt(24));
        };
      }
    };
  }

  static <T> T pick(Random r, T[] values) {
    return values[r.nextInt(values.length)];
  }
}
