package io.jembed.index;

import java.util.Locale;

/** How a metadata field is indexed: a field keeps the type it was first given. */
public enum FieldType {
  /** Strings (and lists of strings): exact terms, ordered by code point. */
  KEYWORD,
  /** Numbers, compared as 64-bit floats. */
  NUMBER,
  /** Dates and instants, compared by epoch milliseconds. */
  DATE;

  /** keyword, number or date. */
  public String externalName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@link #externalName()} (case-insensitive). */
  public static FieldType parse(String name) {
    for (FieldType t : values()) {
      if (t.externalName().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown field type '" + name + "': use keyword, number or date");
  }
}
