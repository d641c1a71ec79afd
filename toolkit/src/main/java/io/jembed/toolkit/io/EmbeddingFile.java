package io.jembed.toolkit.io;

import io.jembed.ModelInfo;
import io.jembed.Precision;
import java.util.List;

/**
 * Embeddings read from a file.
 *
 * @param vectors one vector per input, in file order; for int8/uint8/binary files the integer
 *     values as floats (see {@link #quantized()})
 * @param texts the inputs, when the file records them; else null
 * @param model the model that made the vectors, when recorded; else null
 * @param precision float32, or the integer precision the file was written with
 */
public record EmbeddingFile(
    float[][] vectors, List<String> texts, ModelInfo model, Precision precision) {

  public EmbeddingFile {
    texts = texts == null ? null : List.copyOf(texts);
    precision = precision == null ? Precision.FLOAT32 : precision;
  }

  /** Number of vectors. */
  public int size() {
    return vectors.length;
  }

  /** Length of each vector (0 for a file without vectors and without a recorded dimension). */
  public int dimension() {
    if (vectors.length > 0) {
      return vectors[0].length;
    }
    return model == null ? 0 : model.dimension();
  }

  public boolean hasTexts() {
    return texts != null;
  }

  /**
   * The vectors as the bytes of their integer precision (unsigned precisions as {@code value - 0},
   * read back with {@link Byte#toUnsignedInt}); only for int8/uint8/binary/ubinary files.
   */
  public byte[][] quantized() {
    if (precision == Precision.FLOAT32) {
      throw new IllegalStateException("a float32 file has no quantized vectors");
    }
    byte[][] out = new byte[vectors.length][];
    for (int i = 0; i < vectors.length; i++) {
      out[i] = new byte[vectors[i].length];
      for (int j = 0; j < vectors[i].length; j++) {
        out[i][j] = (byte) (int) vectors[i][j];
      }
    }
    return out;
  }
}
