package io.jembed;

import java.util.Locale;

/**
 * Output precision of embeddings, as in sentence-transformers' {@code quantize_embeddings}.
 *
 * <p>{@code INT8} and {@code UINT8} scale each dimension by the min and max of that dimension over
 * the encoded batch (or given calibration ranges). {@code BINARY} and {@code UBINARY} pack the sign
 * bits (value &gt; 0) eight to a byte, so the vector has {@code dimension / 8} bytes; {@code
 * BINARY} stores {@code packed - 128} as a signed byte, {@code UBINARY} the packed byte itself
 * (read it with {@link Byte#toUnsignedInt(byte)}).
 */
public enum Precision {
  FLOAT32,
  INT8,
  UINT8,
  BINARY,
  UBINARY;

  /** The name sentence-transformers uses: float32, int8, uint8, binary, ubinary. */
  public String externalName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses float32 / int8 / uint8 / binary / ubinary, case-insensitively. */
  public static Precision parse(String name) {
    if (name == null) {
      throw new IllegalArgumentException("precision must not be null");
    }
    for (Precision p : values()) {
      if (p.externalName().equalsIgnoreCase(name.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown precision '" + name + "': expected one of float32, int8, uint8, binary, ubinary");
  }
}
