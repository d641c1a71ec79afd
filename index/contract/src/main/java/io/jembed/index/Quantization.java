package io.jembed.index;

import java.util.Locale;

/**
 * How the HNSW graph stores vectors for search. Full float vectors are always kept too, for exact
 * rescoring and reindexing; quantization shrinks what search has to hold in memory.
 */
public enum Quantization {
  /** 32-bit floats: 4 bytes a dimension; best recall, most memory. */
  NONE("none"),
  /** 7-bit scalar quantization: 1 byte a dimension; recall close to floats. */
  INT8("int8"),
  /** 4-bit scalar quantization: half a byte a dimension; rescoring recommended. */
  INT4("int4"),
  /** 1-bit (optimized scalar) quantization: 1/32 of floats; rescoring needed for good recall. */
  BINARY("binary");

  private final String externalName;

  Quantization(String externalName) {
    this.externalName = externalName;
  }

  public String externalName() {
    return externalName;
  }

  /** Parses "none", "int8", "int4" or "binary" (case-insensitive). */
  public static Quantization parse(String name) {
    if (name != null) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      for (Quantization q : values()) {
        if (q.externalName.equals(n)) {
          return q;
        }
      }
      if (n.equals("float") || n.equals("float32")) {
        return NONE;
      }
    }
    throw new IllegalArgumentException(
        "unknown quantization '" + name + "': use none, int8, int4 or binary");
  }
}
