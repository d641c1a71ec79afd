package io.jembed.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One search: the query (text, and/or a pre-computed vector for vector search), the mode, how many
 * hits, metadata filters and the knobs of hybrid fusion and rescoring. Immutable; build with {@link
 * #builder()} or {@link #of(String, int)}.
 */
public final class SearchRequest {
  /** The usual constant of reciprocal-rank fusion (Cormack et al.). */
  public static final int DEFAULT_RRF_K = 60;

  private final String queryText;
  private final float[] queryVector;
  private final SearchMode mode;
  private final int k;
  private final List<Filter> filters;
  private final double vectorWeight;
  private final double keywordWeight;
  private final int rrfK;
  private final boolean rescore;
  private final int numCandidates;
  private final boolean groupByDocument;

  private SearchRequest(Builder b) {
    this.queryText = b.queryText;
    this.queryVector = b.queryVector;
    this.mode = b.mode;
    this.k = b.k;
    this.filters = List.copyOf(b.filters);
    this.vectorWeight = b.vectorWeight;
    this.keywordWeight = b.keywordWeight;
    this.rrfK = b.rrfK;
    this.rescore = b.rescore;
    this.numCandidates = b.numCandidates;
    this.groupByDocument = b.groupByDocument;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A vector search for the text's top k documents. */
  public static SearchRequest of(String query, int k) {
    return builder().query(query).k(k).build();
  }

  public String queryText() {
    return queryText;
  }

  public float[] queryVector() {
    return queryVector == null ? null : queryVector.clone();
  }

  public SearchMode mode() {
    return mode;
  }

  public int k() {
    return k;
  }

  public List<Filter> filters() {
    return filters;
  }

  public double vectorWeight() {
    return vectorWeight;
  }

  public double keywordWeight() {
    return keywordWeight;
  }

  public int rrfK() {
    return rrfK;
  }

  public boolean rescore() {
    return rescore;
  }

  /**
   * Candidates the graph search collects before the top k are taken (HNSW's ef); 0 means max(100,
   * k) (more when rescoring or grouping chunks).
   */
  public int numCandidates() {
    return numCandidates;
  }

  public boolean groupByDocument() {
    return groupByDocument;
  }

  /** Builder for {@link SearchRequest}. */
  public static final class Builder {
    private String queryText;
    private float[] queryVector;
    private SearchMode mode = SearchMode.VECTOR;
    private int k = 10;
    private final List<Filter> filters = new ArrayList<>();
    private double vectorWeight = 1.0;
    private double keywordWeight = 1.0;
    private int rrfK = DEFAULT_RRF_K;
    private boolean rescore;
    private int numCandidates;
    private boolean groupByDocument = true;

    private Builder() {}

    /** The query text: embedded (with the model's query prompt) and/or matched by BM25. */
    public Builder query(String text) {
      this.queryText = text;
      return this;
    }

    /** A pre-computed query vector for vector search (instead of embedding the text). */
    public Builder vector(float[] vector) {
      this.queryVector = vector == null ? null : vector.clone();
      return this;
    }

    public Builder mode(SearchMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    public Builder k(int k) {
      if (k < 1) {
        throw new IllegalArgumentException("k must be at least 1, got " + k);
      }
      this.k = k;
      return this;
    }

    /** A metadata condition; all the filters given must hold. */
    public Builder filter(Filter filter) {
      filters.add(Objects.requireNonNull(filter, "filter"));
      return this;
    }

    /** A metadata condition in the text form ({@link Filter#parse}). */
    public Builder filter(String expression) {
      return filter(Filter.parse(expression));
    }

    public Builder filters(List<Filter> filters) {
      filters.forEach(this::filter);
      return this;
    }

    /** Weights of the two rankings in hybrid fusion (default 1 and 1). */
    public Builder weights(double vectorWeight, double keywordWeight) {
      if (!(vectorWeight >= 0) || !(keywordWeight >= 0) || vectorWeight + keywordWeight == 0) {
        throw new IllegalArgumentException(
            "hybrid weights must be non-negative and not both zero, got "
                + vectorWeight
                + " and "
                + keywordWeight);
      }
      this.vectorWeight = vectorWeight;
      this.keywordWeight = keywordWeight;
      return this;
    }

    /** The rank constant of reciprocal-rank fusion: score = sum of weight / (rrfK + rank). */
    public Builder rrfK(int rrfK) {
      if (rrfK < 1) {
        throw new IllegalArgumentException("rrfK must be at least 1, got " + rrfK);
      }
      this.rrfK = rrfK;
      return this;
    }

    /** Re-scores the candidates with the full float vectors (exact scores under quantization). */
    public Builder rescore(boolean rescore) {
      this.rescore = rescore;
      return this;
    }

    public Builder numCandidates(int numCandidates) {
      if (numCandidates < 0) {
        throw new IllegalArgumentException("numCandidates must not be negative");
      }
      this.numCandidates = numCandidates;
      return this;
    }

    /** One hit per document, its best chunk (default), or one hit per chunk. */
    public Builder groupByDocument(boolean group) {
      this.groupByDocument = group;
      return this;
    }

    public SearchRequest build() {
      boolean hasText = queryText != null && !queryText.isBlank();
      if (mode == SearchMode.VECTOR && !hasText && queryVector == null) {
        throw new IllegalArgumentException("a vector search needs a query text or vector");
      }
      if (mode != SearchMode.VECTOR && !hasText) {
        throw new IllegalArgumentException(
            "a " + mode.name().toLowerCase(java.util.Locale.ROOT) + " search needs a query text");
      }
      return new SearchRequest(this);
    }
  }
}
