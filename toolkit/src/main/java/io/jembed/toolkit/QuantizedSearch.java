package io.jembed.toolkit;

import io.jembed.Precision;
import io.jembed.SimilarityFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Semantic search over quantized corpus vectors with float rescoring, as sentence-transformers'
 * embedding quantization: the corpus is scanned in {@code int8} (4x less memory to read) or {@code
 * binary} (32x less: sign bits compared by Hamming distance), the best {@code rescoreMultiplier x
 * k} candidates are kept, and those are rescored with the float vectors, so every returned score is
 * the exact one {@link SemanticSearch} would give. Only the ranking can differ: a true top-k hit
 * the quantized scan ranked below the candidate cut is missed. Measure recall@k on your data (the
 * bench module's SearchBenchmark does on a million vectors).
 *
 * <p>{@code INT8} scales each dimension by its min and max over the corpus (sentence-transformers'
 * {@code quantize_embeddings} with the corpus as calibration); the query stays float. {@code
 * BINARY} keeps the bit {@code value > 0}. Similarity: {@code COSINE} (vectors are normalized
 * before they are quantized) or {@code DOT}. Immutable and thread-safe once built.
 */
public final class QuantizedSearch {
  /** Candidates per result kept for rescoring, as sentence-transformers' default. */
  public static final int DEFAULT_RESCORE_MULTIPLIER = 4;

  private static final int CHUNK = 16384;
  private static final int BLOCK = 512;

  private final Precision precision;
  private final SimilarityFunction similarity;
  private final int rescoreMultiplier;
  private final boolean rescore;
  private final FloatCorpus floats;
  private final int size;
  private final int dim;
  // INT8: codes[i * dim + d] in pages of 2^codeShift vectors; value ~ mins[d] + (code + 128) *
  // steps[d]
  private final byte[][] codePages;
  private final int codeShift;
  private final float[] mins;
  private final float[] steps;
  // BINARY: words 64-bit words per vector, bit d set when value d > 0
  private final long[] bits;
  private final int words;

  private QuantizedSearch(Builder b, FloatCorpus corpus) {
    this.precision = b.precision;
    this.similarity = b.similarity;
    this.rescoreMultiplier = b.rescoreMultiplier;
    this.rescore = b.rescore;
    this.floats = corpus;
    this.size = corpus.size();
    this.dim = corpus.dimension();
    float[] inverseNorms = similarity == SimilarityFunction.COSINE ? corpus.inverseNorms() : null;
    if (precision == Precision.INT8) {
      mins = new float[dim];
      steps = new float[dim];
      float[] maxs = new float[dim];
      java.util.Arrays.fill(mins, Float.POSITIVE_INFINITY);
      java.util.Arrays.fill(maxs, Float.NEGATIVE_INFINITY);
      for (int i = 0; i < size; i++) {
        float[] page = corpus.page(i);
        int off = corpus.offset(i);
        float f = inverseNorms == null ? 1f : inverseNorms[i];
        for (int d = 0; d < dim; d++) {
          float x = page[off + d] * f;
          mins[d] = Math.min(mins[d], x);
          maxs[d] = Math.max(maxs[d], x);
        }
      }
      for (int d = 0; d < dim; d++) {
        if (size == 0) {
          mins[d] = 0f;
        } else {
          steps[d] = (maxs[d] - mins[d]) / 255f;
        }
      }
      int perPage = Math.max(1, Integer.highestOneBit((1 << 24) / dim));
      codeShift = Integer.numberOfTrailingZeros(perPage);
      int pageCount = (int) ((size + (long) perPage - 1) / perPage);
      codePages = new byte[pageCount][];
      for (int p = 0; p < pageCount; p++) {
        int vectors = (int) Math.min(perPage, size - (long) p * perPage);
        byte[] codes = new byte[vectors * dim];
        for (int v = 0; v < vectors; v++) {
          int i = p * perPage + v;
          float[] page = corpus.page(i);
          int off = corpus.offset(i);
          float f = inverseNorms == null ? 1f : inverseNorms[i];
          for (int d = 0; d < dim; d++) {
            codes[v * dim + d] = quantize(page[off + d] * f, mins[d], steps[d]);
          }
        }
        codePages[p] = codes;
      }
      bits = null;
      words = 0;
    } else {
      words = (dim + 63) >>> 6;
      long total = (long) size * words;
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("corpus too large for binary search: " + size);
      }
      bits = new long[(int) total];
      for (int i = 0; i < size; i++) {
        signBits(corpus.page(i), corpus.offset(i), dim, bits, i * words);
      }
      codePages = null;
      codeShift = 0;
      mins = null;
      steps = null;
    }
  }

  private QuantizedSearch(QuantizedSearch other, int rescoreMultiplier) {
    this.precision = other.precision;
    this.similarity = other.similarity;
    this.rescoreMultiplier = rescoreMultiplier;
    this.rescore = other.rescore;
    this.floats = other.floats;
    this.size = other.size;
    this.dim = other.dim;
    this.codePages = other.codePages;
    this.codeShift = other.codeShift;
    this.mins = other.mins;
    this.steps = other.steps;
    this.bits = other.bits;
    this.words = other.words;
  }

  /** The same quantized corpus (shared, not copied) with another rescore multiplier. */
  public QuantizedSearch withRescoreMultiplier(int rescoreMultiplier) {
    if (rescoreMultiplier < 1) {
      throw new IllegalArgumentException(
          "rescore multiplier must be at least 1, got " + rescoreMultiplier);
    }
    return new QuantizedSearch(this, rescoreMultiplier);
  }

  static byte quantize(float x, float min, float step) {
    if (step == 0f) {
      return -128;
    }
    long code = Math.round((x - min) / step) - 128;
    return (byte) Math.max(-128, Math.min(127, code));
  }

  static void signBits(float[] v, int off, int dim, long[] out, int outOff) {
    for (int d = 0; d < dim; d++) {
      if (v[off + d] > 0f) {
        out[outOff + (d >>> 6)] |= 1L << (d & 63);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** {@code INT8} or {@code BINARY}. */
  public Precision precision() {
    return precision;
  }

  public SimilarityFunction similarity() {
    return similarity;
  }

  public int rescoreMultiplier() {
    return rescoreMultiplier;
  }

  /** Number of corpus vectors. */
  public int size() {
    return size;
  }

  /** Bytes of quantized vectors: what one scan reads (before rescoring). */
  public long quantizedBytes() {
    return precision == Precision.INT8 ? (long) size * dim : (long) size * words * Long.BYTES;
  }

  /** Top-k for one query. */
  public List<Hit> search(float[] query, int topK) {
    return search(new float[][] {query}, topK).get(0);
  }

  /**
   * Per query, up to {@code topK} hits, best first (ties to the lower corpus id). With rescoring
   * the scores are the exact float similarities; without, the quantized estimates (int8: the
   * similarity to the dequantized vector; binary: {@code 1 - 2 * hamming / dimension}).
   */
  public List<List<Hit>> search(float[][] queries, int topK) {
    if (topK < 1) {
      throw new IllegalArgumentException("top k must be at least 1, got " + topK);
    }
    int qDim = VectorScorer.checkVectors("query", queries);
    if (queries.length > 0 && size > 0 && qDim != dim) {
      throw new IllegalArgumentException(
          "queries have dimension " + qDim + " but the corpus has dimension " + dim);
    }
    int k = Math.min(topK, size);
    List<List<Hit>> out = new ArrayList<>(queries.length);
    if (size == 0 || queries.length == 0) {
      for (int q = 0; q < queries.length; q++) {
        out.add(List.of());
      }
      return List.copyOf(out);
    }
    int candidates = rescore ? (int) Math.min(size, (long) k * rescoreMultiplier) : k;
    float[] flat = SemanticSearch.flatten(queries, 0, queries.length, dim);
    float[] queryFactors = new float[queries.length];
    for (int q = 0; q < queries.length; q++) {
      queryFactors[q] =
          similarity == SimilarityFunction.COSINE
              ? VectorScorer.inverseNorm(flat, q * dim, dim)
              : 1f;
    }
    TopK[] found;
    if (precision == Precision.INT8) {
      found = scanInt8(flat, queryFactors, queries.length, candidates);
    } else {
      found = scanBinary(flat, queries.length, candidates);
    }
    if (!rescore) {
      for (TopK heap : found) {
        out.add(List.copyOf(heap.sorted()));
      }
      return List.copyOf(out);
    }
    float[] inverseNorms = similarity == SimilarityFunction.COSINE ? floats.inverseNorms() : null;
    IntStream range = IntStream.range(0, queries.length);
    if (queries.length > 1) {
      range = range.parallel();
    }
    return range
        .mapToObj(q -> rescore(found[q], flat, q, queryFactors[q], inverseNorms, k))
        .toList();
  }

  /** The exact float score of every candidate, exactly as SemanticSearch computes it. */
  private List<Hit> rescore(
      TopK candidates, float[] flat, int q, float queryFactor, float[] inverseNorms, int k) {
    DotKernel kernel = DotKernel.INSTANCE;
    TopK best = new TopK(k);
    for (Hit c : candidates.sorted()) {
      int j = c.corpusId();
      float dot = kernel.dot(flat, q * dim, floats.page(j), floats.offset(j), dim);
      best.offer(j, inverseNorms == null ? dot : dot * (queryFactor * inverseNorms[j]));
    }
    return List.copyOf(best.sorted());
  }

  private TopK[] scanInt8(float[] flat, float[] queryFactors, int queries, int capacity) {
    // score ~ sum_d q[d] * (min[d] + (code + 128) * step[d]) = constant + sum_d (q[d] * step[d]) *
    // code
    float[] weights = new float[queries * dim];
    float[] constants = new float[queries];
    for (int q = 0; q < queries; q++) {
      double constant = 0;
      for (int d = 0; d < dim; d++) {
        float x = flat[q * dim + d] * queryFactors[q];
        weights[q * dim + d] = x * steps[d];
        constant += (double) x * (mins[d] + 128f * steps[d]);
      }
      constants[q] = (float) constant;
    }
    DotKernel kernel = DotKernel.INSTANCE;
    int mask = (1 << codeShift) - 1;
    return SemanticSearch.scanParallel(
        size,
        CHUNK,
        queries,
        capacity,
        (cStart, cEnd, heaps) -> {
          for (int b = cStart; b < cEnd; b += BLOCK) {
            int bEnd = Math.min(cEnd, b + BLOCK);
            for (int q = 0; q < queries; q++) {
              TopK heap = heaps[q];
              float constant = constants[q];
              for (int j = b; j < bEnd; j++) {
                byte[] page = codePages[j >>> codeShift];
                heap.offer(
                    j, constant + kernel.dotCodes(weights, q * dim, page, (j & mask) * dim, dim));
              }
            }
          }
        });
  }

  private TopK[] scanBinary(float[] flat, int queries, int capacity) {
    long[] queryBits = new long[queries * words];
    for (int q = 0; q < queries; q++) {
      signBits(flat, q * dim, dim, queryBits, q * words);
    }
    float scale = 2f / dim;
    return SemanticSearch.scanParallel(
        size,
        CHUNK,
        queries,
        capacity,
        (cStart, cEnd, heaps) -> {
          for (int b = cStart; b < cEnd; b += BLOCK) {
            int bEnd = Math.min(cEnd, b + BLOCK);
            for (int q = 0; q < queries; q++) {
              TopK heap = heaps[q];
              int qOff = q * words;
              for (int j = b; j < bEnd; j++) {
                int hamming = hamming(queryBits, qOff, bits, j * words, words);
                heap.offer(j, 1f - hamming * scale);
              }
            }
          }
        });
  }

  static int hamming(long[] a, int aOff, long[] b, int bOff, int words) {
    if (words == 6) {
      // 384 dimensions (MiniLM, bge-small, e5-small): unrolled
      return Long.bitCount(a[aOff] ^ b[bOff])
          + Long.bitCount(a[aOff + 1] ^ b[bOff + 1])
          + Long.bitCount(a[aOff + 2] ^ b[bOff + 2])
          + Long.bitCount(a[aOff + 3] ^ b[bOff + 3])
          + Long.bitCount(a[aOff + 4] ^ b[bOff + 4])
          + Long.bitCount(a[aOff + 5] ^ b[bOff + 5]);
    }
    int hamming = 0;
    for (int w = 0; w < words; w++) {
      hamming += Long.bitCount(a[aOff + w] ^ b[bOff + w]);
    }
    return hamming;
  }

  /** Options; {@link #build} quantizes the corpus. */
  public static final class Builder {
    private Precision precision = Precision.INT8;
    private SimilarityFunction similarity = SimilarityFunction.COSINE;
    private int rescoreMultiplier = DEFAULT_RESCORE_MULTIPLIER;
    private boolean rescore = true;

    private Builder() {}

    /** {@code INT8} (or {@code UINT8}, the same ranking) or {@code BINARY} (or {@code UBINARY}). */
    public Builder precision(Precision precision) {
      if (precision == null) {
        throw new IllegalArgumentException("precision must not be null");
      }
      this.precision =
          switch (precision) {
            case INT8, UINT8 -> Precision.INT8;
            case BINARY, UBINARY -> Precision.BINARY;
            case FLOAT32 ->
                throw new IllegalArgumentException(
                    "precision float32 is not quantized: use SemanticSearch for exact float search");
          };
      return this;
    }

    /** {@code COSINE} (default) or {@code DOT}. */
    public Builder similarity(SimilarityFunction similarity) {
      if (similarity != SimilarityFunction.COSINE && similarity != SimilarityFunction.DOT) {
        throw new IllegalArgumentException(
            "quantized search supports cosine and dot similarity, got " + similarity);
      }
      this.similarity = similarity;
      return this;
    }

    /** Candidates kept per result for float rescoring (default 4): k x multiplier. */
    public Builder rescoreMultiplier(int rescoreMultiplier) {
      if (rescoreMultiplier < 1) {
        throw new IllegalArgumentException(
            "rescore multiplier must be at least 1, got " + rescoreMultiplier);
      }
      this.rescoreMultiplier = rescoreMultiplier;
      return this;
    }

    /** Whether to rescore candidates with the float vectors (default true). */
    public Builder rescore(boolean rescore) {
      this.rescore = rescore;
      return this;
    }

    /** Quantizes {@code corpus}; its float vectors are kept for rescoring (not copied). */
    public QuantizedSearch build(FloatCorpus corpus) {
      if (corpus == null) {
        throw new IllegalArgumentException("corpus must not be null");
      }
      return new QuantizedSearch(this, corpus);
    }

    /** Copies {@code vectors} into a {@link FloatCorpus} and quantizes it. */
    public QuantizedSearch build(float[][] vectors) {
      return build(FloatCorpus.of(vectors));
    }
  }
}
