package io.jembed.toolkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Corpus vectors stored contiguously for fast exact search: a million 384-d vectors live in a few
 * large {@code float[]} pages instead of a million small arrays, so a scan streams memory at full
 * speed. Build it once ({@link #of} or {@link #builder}) and search it many times with {@link
 * SemanticSearch#search(float[][], FloatCorpus, int, io.jembed.SimilarityFunction)}; results equal
 * those of the {@code float[][]} overloads bit for bit. Immutable and thread-safe.
 */
public final class FloatCorpus {
  /** A page holds at most this many floats (16 MB), and a power of two vectors. */
  private static final int PAGE_FLOATS = 1 << 22;

  private final float[][] pages;
  private final int size;
  private final int dimension;
  private final int shift;
  private final int mask;
  private volatile float[] inverseNorms;

  private FloatCorpus(float[][] pages, int size, int dimension, int shift) {
    this.pages = pages;
    this.size = size;
    this.dimension = dimension;
    this.shift = shift;
    this.mask = (1 << shift) - 1;
  }

  /** A view of caller-owned rows (no copy): one page per vector. */
  static FloatCorpus view(float[][] rows, int dimension) {
    return new FloatCorpus(rows, rows.length, dimension, 0);
  }

  /** Copies {@code vectors} (all of one dimension) into contiguous storage. */
  public static FloatCorpus of(float[][] vectors) {
    int dim = VectorScorer.checkVectors("corpus", vectors);
    Builder builder = builder(Math.max(dim, 1));
    for (float[] v : vectors) {
      builder.add(v);
    }
    return builder.build();
  }

  /** An empty builder for vectors of {@code dimension} floats. */
  public static Builder builder(int dimension) {
    return new Builder(dimension);
  }

  /** Number of vectors. */
  public int size() {
    return size;
  }

  /** Floats per vector. */
  public int dimension() {
    return dimension;
  }

  /** Bytes of vector data (4 per float): what one exact scan reads. */
  public long bytes() {
    return (long) size * dimension * Float.BYTES;
  }

  /** A copy of vector {@code i}. */
  public float[] vector(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("vector " + i + " of a corpus of " + size);
    }
    return Arrays.copyOfRange(page(i), offset(i), offset(i) + dimension);
  }

  float[] page(int i) {
    return pages[i >>> shift];
  }

  int offset(int i) {
    return (i & mask) * dimension;
  }

  /** Per-vector 1 / norm for cosine, computed on first use. */
  float[] inverseNorms() {
    float[] norms = inverseNorms;
    if (norms == null) {
      norms = new float[size];
      for (int i = 0; i < size; i++) {
        norms[i] = VectorScorer.inverseNorm(page(i), offset(i), dimension);
      }
      inverseNorms = norms;
    }
    return norms;
  }

  /** Collects vectors one by one into pages; not thread-safe. */
  public static final class Builder {
    private final int dimension;
    private final int shift;
    private final List<float[]> pages = new ArrayList<>();
    private int size;

    private Builder(int dimension) {
      if (dimension < 1) {
        throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
      }
      this.dimension = dimension;
      int perPage = Math.max(1, Integer.highestOneBit(PAGE_FLOATS / dimension));
      this.shift = Integer.numberOfTrailingZeros(perPage);
    }

    /** Appends a copy of {@code vector}. */
    public Builder add(float[] vector) {
      if (vector == null) {
        throw new IllegalArgumentException("corpus vector " + size + " is null");
      }
      if (vector.length != dimension) {
        throw new IllegalArgumentException(
            "corpus vector "
                + size
                + " has dimension "
                + vector.length
                + ", expected "
                + dimension);
      }
      if (size == Integer.MAX_VALUE) {
        throw new IllegalStateException("a corpus holds at most " + Integer.MAX_VALUE + " vectors");
      }
      int perPage = 1 << shift;
      int inPage = size & (perPage - 1);
      if (inPage == 0) {
        pages.add(new float[perPage * dimension]);
      }
      System.arraycopy(vector, 0, pages.get(pages.size() - 1), inPage * dimension, dimension);
      size++;
      return this;
    }

    /** The corpus; the builder must not be used afterwards. */
    public FloatCorpus build() {
      int inLastPage = size & ((1 << shift) - 1);
      if (inLastPage != 0) {
        // trim the last page: a small corpus should not hold a 16 MB page
        int last = pages.size() - 1;
        pages.set(last, Arrays.copyOf(pages.get(last), inLastPage * dimension));
      }
      return new FloatCorpus(pages.toArray(float[][]::new), size, dimension, shift);
    }
  }
}
