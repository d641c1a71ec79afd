package io.jembed;

import java.util.List;
import java.util.Objects;

/**
 * The result of one {@code encode} call: vectors in input order, plus what happened on the way
 * (tokens, truncation). The arrays handed out belong to the caller; this object keeps no other use
 * of them.
 */
public final class Embeddings {
  private final ModelInfo model;
  private final float[][] vectors;
  private final Precision precision;
  private final byte[][] quantized;
  private final int[] tokenCounts;
  private final boolean[] truncated;
  private final long totalTokens;
  private final List<float[][]> tokenEmbeddings;

  /**
   * @param model the model (with the options applied) that made these vectors
   * @param vectors float vectors, one per input, in input order
   * @param precision requested precision
   * @param quantized the quantized vectors when precision is not float32, else null
   * @param tokenCounts tokens per input as the model saw them (after truncation), or null if
   *     unknown
   * @param truncated which inputs were cut to the model's maximum length, or null if none/unknown
   * @param totalTokens tokens billed or processed in all (hosted APIs report usage here)
   * @param tokenEmbeddings per-token vectors when requested, else null
   */
  public Embeddings(
      ModelInfo model,
      float[][] vectors,
      Precision precision,
      byte[][] quantized,
      int[] tokenCounts,
      boolean[] truncated,
      long totalTokens,
      List<float[][]> tokenEmbeddings) {
    this.model = Objects.requireNonNull(model, "model");
    this.vectors = Objects.requireNonNull(vectors, "vectors");
    this.precision = Objects.requireNonNull(precision, "precision");
    this.quantized = quantized;
    this.tokenCounts = tokenCounts;
    this.truncated = truncated == null ? new boolean[vectors.length] : truncated;
    this.totalTokens = totalTokens;
    this.tokenEmbeddings = tokenEmbeddings == null ? null : List.copyOf(tokenEmbeddings);
    if (precision != Precision.FLOAT32 && quantized == null) {
      throw new IllegalArgumentException("precision " + precision + " needs quantized vectors");
    }
  }

  /** Plain float32 vectors without per-input statistics (for example, vectors read from a file). */
  public static Embeddings of(ModelInfo model, float[][] vectors) {
    return new Embeddings(model, vectors, Precision.FLOAT32, null, null, null, 0, null);
  }

  public ModelInfo model() {
    return model;
  }

  public int size() {
    return vectors.length;
  }

  /** Length of each float vector. */
  public int dimension() {
    return vectors.length == 0 ? model.dimension() : vectors[0].length;
  }

  /** The i-th vector. */
  public float[] get(int i) {
    return vectors[i];
  }

  /** All float vectors, n x dimension, in input order (also for quantized precisions). */
  public float[][] vectors() {
    return vectors;
  }

  public Precision precision() {
    return precision;
  }

  /** The quantized vectors for int8/uint8/binary/ubinary precision; null for float32. */
  public byte[][] quantized() {
    return quantized;
  }

  /** Tokens per input after truncation (including special tokens), or null when not known. */
  public int[] tokenCounts() {
    return tokenCounts;
  }

  /** Whether input {@code i} was longer than the model's maximum and was cut. */
  public boolean truncated(int i) {
    return truncated[i];
  }

  /** How many inputs were cut to the model's maximum sequence length. */
  public int truncatedCount() {
    int n = 0;
    for (boolean t : truncated) {
      if (t) {
        n++;
      }
    }
    return n;
  }

  /** Tokens processed in all (for hosted models: the usage the provider reported). */
  public long totalTokens() {
    return totalTokens;
  }

  /** Per-token vectors (tokens x hidden size) per input, when requested; else null. */
  public List<float[][]> tokenEmbeddings() {
    return tokenEmbeddings;
  }
}
