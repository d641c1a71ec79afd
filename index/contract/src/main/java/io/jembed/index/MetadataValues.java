package io.jembed.index;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * How metadata is typed, the same in every store. A document's value is a keyword ({@link String},
 * or a collection of strings for tags; a {@link Boolean} or {@link UUID} is kept as its text), a
 * number (any {@link Number}, compared as a 64-bit float) or a date ({@link Instant}, {@link
 * LocalDate}, {@link OffsetDateTime}, {@link ZonedDateTime}, {@link Date}; compared by epoch
 * milliseconds). A filter value is read by the type of the field it meets:
 *
 * <ul>
 *   <li>keyword: the value's text ({@code 5} is {@code "5"}, {@code true} is {@code "true"}, a date
 *       its ISO form); order is Unicode code point order (the byte order of UTF-8);
 *   <li>number: a number, or a string that parses as one;
 *   <li>date: an {@link Instant}, or a {@link LocalDate} / ISO date string, which stands for the
 *       whole UTC day ({@code published == 2024-05-01} matches any time that day, {@code >} means
 *       after it), or an ISO instant string.
 * </ul>
 *
 * <p>Anything else is an {@link IllegalArgumentException} that names the field and the value.
 */
public final class MetadataValues {
  private static final long DAY_MILLIS = 86_400_000L;

  private MetadataValues() {}

  /** The type a document's (normalized) metadata value is indexed as. */
  public static FieldType typeOf(Object value) {
    return switch (value) {
      case Number n -> FieldType.NUMBER;
      case String s -> FieldType.KEYWORD;
      case Collection<?> c -> FieldType.KEYWORD;
      default -> FieldType.DATE;
    };
  }

  /**
   * A document's metadata value in its kept form: strings, lists of strings, numbers and dates as
   * given; booleans and UUIDs as their text.
   */
  public static Object metadataValue(String field, Object value) {
    switch (value) {
      case null -> {}
      case String s -> {
        return s;
      }
      case Boolean b -> {
        return b.toString();
      }
      case UUID u -> {
        return u.toString();
      }
      case Number n -> {
        if (!Double.isFinite(n.doubleValue())) {
          throw new IllegalArgumentException("metadata '" + field + "' is not a finite number");
        }
        return n;
      }
      case Instant i -> {
        return i;
      }
      case LocalDate d -> {
        return d;
      }
      case OffsetDateTime o -> {
        return o;
      }
      case ZonedDateTime z -> {
        return z;
      }
      case Date d -> {
        return d;
      }
      case Collection<?> c when !c.isEmpty() -> {
        List<String> values = new ArrayList<>(c.size());
        for (Object o : c) {
          if (!(o instanceof String s)) {
            throw new IllegalArgumentException(
                "metadata '" + field + "': a list may only hold strings (keywords)");
          }
          values.add(s);
        }
        return List.copyOf(values);
      }
      default -> {}
    }
    throw new IllegalArgumentException(
        "metadata '"
            + field
            + "' has an unsupported value "
            + (value == null ? "null" : value.getClass().getSimpleName())
            + ": use a string, a list of strings, a number or a date");
  }

  /**
   * A filter value in its kept form: strings, {@link Long} for integral numbers, {@link Double} for
   * others, {@link Boolean}, {@link LocalDate}, and {@link Instant} for every other date.
   */
  public static Object filterValue(String field, Object value) {
    return switch (value) {
      case null ->
          throw new IllegalArgumentException(
              "filter on '" + field + "' compares with null: use IS NULL or IS NOT NULL");
      case String s -> s;
      case Boolean b -> b;
      case UUID u -> u.toString();
      case Character c -> c.toString();
      case Long l -> l;
      case Integer i -> i.longValue();
      case Short s -> s.longValue();
      case Byte b -> b.longValue();
      case java.math.BigInteger b when b.bitLength() < 64 -> b.longValue();
      case Number n -> {
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
          throw new IllegalArgumentException(
              "filter on '" + field + "' compares with " + n + ": not a finite number");
        }
        yield d;
      }
      case LocalDate d -> d;
      case Instant i -> i;
      case OffsetDateTime o -> o.toInstant();
      case ZonedDateTime z -> z.toInstant();
      case Date d -> d.toInstant();
      default ->
          throw new IllegalArgumentException(
              "filter on '"
                  + field
                  + "' compares with a "
                  + value.getClass().getSimpleName()
                  + ": use a string, number, boolean or date");
    };
  }

  // -------------------------------------------------------------- filter values by field type

  /** A filter value as a keyword field reads it. */
  public static String keyword(Object filterValue) {
    return filterValue.toString(); // String, Long, Double, Boolean, LocalDate, Instant: their text
  }

  /** A filter value as a number field reads it. */
  public static double number(String field, Object filterValue) {
    if (filterValue instanceof Number n) {
      return n.doubleValue() + 0.0; // -0.0 is 0.0
    }
    if (filterValue instanceof String s) {
      try {
        double d = Double.parseDouble(s.trim());
        if (Double.isFinite(d)) {
          return d + 0.0;
        }
      } catch (NumberFormatException e) {
        // the clear message below
      }
    }
    throw new IllegalArgumentException(
        "filter on numeric field '" + field + "' needs a number, got " + quoted(filterValue));
  }

  /**
   * The epoch milliseconds a filter value covers as a date field reads it: the whole UTC day for a
   * date, one instant otherwise. Returns {first, last}, both inclusive.
   */
  public static long[] dateSpan(String field, Object filterValue) {
    switch (filterValue) {
      case LocalDate day -> {
        return daySpan(day);
      }
      case Instant i -> {
        return new long[] {i.toEpochMilli(), i.toEpochMilli()};
      }
      case String s -> {
        String v = s.trim();
        try {
          return daySpan(LocalDate.parse(v));
        } catch (DateTimeParseException e) {
          // not a day: an instant?
        }
        Instant t = parseInstant(v);
        if (t != null) {
          return new long[] {t.toEpochMilli(), t.toEpochMilli()};
        }
      }
      default -> {}
    }
    throw new IllegalArgumentException(
        "filter on date field '"
            + field
            + "' needs an ISO date (2024-05-01) or instant (2024-05-01T12:00:00Z), got "
            + quoted(filterValue));
  }

  private static long[] daySpan(LocalDate day) {
    long start = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    return new long[] {start, start + DAY_MILLIS - 1};
  }

  /** An ISO instant or offset date-time, or null. */
  static Instant parseInstant(String v) {
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(v).toInstant();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  /** A document's date value as epoch milliseconds (a day is its UTC midnight). */
  public static long epochMillis(Object date) {
    return switch (date) {
      case Instant i -> i.toEpochMilli();
      case LocalDate d -> d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      case OffsetDateTime o -> o.toInstant().toEpochMilli();
      case ZonedDateTime z -> z.toInstant().toEpochMilli();
      case Date d -> d.getTime();
      default -> throw new IllegalArgumentException("not a date: " + date);
    };
  }

  /** A stored date's text, as hits show it: a day stays a day, anything else is an instant. */
  public static String dateText(Object date) {
    return date instanceof LocalDate d
        ? d.toString()
        : Instant.ofEpochMilli(epochMillis(date)).toString();
  }

  /** A date read back from its text ({@link #dateText}). */
  public static Object parseDate(String field, String text) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      Instant t = parseInstant(text);
      if (t == null) {
        throw new IllegalArgumentException("metadata '" + field + "' is not a date: " + text);
      }
      return t;
    }
  }

  /** Keyword order: Unicode code points, which is the byte order of UTF-8 that stores index by. */
  public static int compareKeywords(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  static String quoted(Object value) {
    return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
  }

  static String typeName(FieldType type) {
    return type.name().toLowerCase(Locale.ROOT);
  }
}
