package io.jembed.toolkit.io;

import com.fasterxml.jackson.core.JsonGenerator;
import io.jembed.Embeddings;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * Float or byte vectors, validated to a rectangular shape: what one write of an embedding file
 * holds, and how each format spells a row.
 */
final class VectorRows {
  final float[][] floats;
  final byte[][] bytes;
  final Precision precision;
  final int rows;
  final int cols;

  private VectorRows(float[][] floats, byte[][] bytes, Precision precision, int rows, int cols) {
    this.floats = floats;
    this.bytes = bytes;
    this.precision = precision;
    this.rows = rows;
    this.cols = cols;
  }

  static VectorRows of(Embeddings e) {
    if (e.precision() != Precision.FLOAT32) {
      return ofBytes(e.quantized(), e.precision());
    }
    return ofFloats(e.vectors(), e.model());
  }

  static VectorRows ofFloats(float[][] vectors, ModelInfo model) {
    Objects.requireNonNull(vectors, "vectors");
    int cols = vectors.length == 0 ? (model == null ? 0 : model.dimension()) : width(vectors, 0);
    for (int i = 0; i < vectors.length; i++) {
      if (width(vectors, i) != cols) {
        throw new IllegalArgumentException(
            "vector " + i + " has dimension " + vectors[i].length + ", vector 0 has " + cols);
      }
    }
    if (vectors.length > 0 && cols == 0) {
      throw new IllegalArgumentException("vectors must have at least one dimension");
    }
    if (model != null && vectors.length > 0 && model.dimension() != cols) {
      throw new IllegalArgumentException(
          "vectors have dimension "
              + cols
              + " but model "
              + model.id()
              + " makes "
              + model.dimension()
              + "-d vectors");
    }
    return new VectorRows(vectors, null, Precision.FLOAT32, vectors.length, cols);
  }

  static VectorRows ofBytes(byte[][] vectors, Precision precision) {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(precision, "precision");
    if (precision == Precision.FLOAT32) {
      throw new IllegalArgumentException("quantized vectors need an integer precision");
    }
    int cols = vectors.length == 0 ? 0 : width(vectors, 0);
    for (int i = 0; i < vectors.length; i++) {
      if (width(vectors, i) != cols) {
        throw new IllegalArgumentException(
            "vector " + i + " has " + vectors[i].length + " bytes, vector 0 has " + cols);
      }
    }
    if (vectors.length > 0 && cols == 0) {
      throw new IllegalArgumentException("vectors must have at least one dimension");
    }
    return new VectorRows(null, vectors, precision, vectors.length, cols);
  }

  private static int width(float[][] v, int i) {
    if (v[i] == null) {
      throw new IllegalArgumentException("vector " + i + " is null");
    }
    return v[i].length;
  }

  private static int width(byte[][] v, int i) {
    if (v[i] == null) {
      throw new IllegalArgumentException("vector " + i + " is null");
    }
    return v[i].length;
  }

  /**
   * Checks there is one non-null text per row; {@code firstIndex} numbers them in messages.
   *
   * @throws IllegalArgumentException naming the first thing wrong
   */
  void checkTexts(List<String> texts, long firstIndex) {
    if (texts.size() != rows) {
      throw new IllegalArgumentException(
          "got " + texts.size() + " texts for " + rows + " vectors: expected one text per vector");
    }
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("text " + (firstIndex + i) + " is null");
      }
    }
  }

  /** No rows, of the same kind and dimension. */
  VectorRows emptyLike() {
    return new VectorRows(
        floats == null ? null : new float[0][],
        bytes == null ? null : new byte[0][],
        precision,
        0,
        cols);
  }

  boolean unsigned() {
    return precision == Precision.UINT8 || precision == Precision.UBINARY;
  }

  String npyDescr() {
    if (floats != null) {
      return "<f4";
    }
    return unsigned() ? "|u1" : "|i1";
  }

  void writeNpyData(OutputStream out) throws IOException {
    if (floats != null) {
      Npy.writeFloats(out, floats, cols);
    } else {
      for (byte[] row : bytes) {
        out.write(row);
      }
    }
  }

  int intValue(int i, int j) {
    return unsigned() ? Byte.toUnsignedInt(bytes[i][j]) : bytes[i][j];
  }

  void writeJsonRow(JsonGenerator g, int i) throws IOException {
    g.writeStartArray();
    for (int j = 0; j < cols; j++) {
      if (floats != null) {
        g.writeNumber(floats[i][j]);
      } else {
        g.writeNumber(intValue(i, j));
      }
    }
    g.writeEndArray();
  }

  void appendValue(StringBuilder sb, int i, int j) {
    if (floats != null) {
      sb.append(floats[i][j]);
    } else {
      sb.append(intValue(i, j));
    }
  }
}
