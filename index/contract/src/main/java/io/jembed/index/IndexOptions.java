package io.jembed.index;

import java.util.Objects;

/**
 * How a new index is built: quantization, HNSW graph parameters and chunking. Stored in the index,
 * so later opens use the same settings.
 */
public final class IndexOptions {
  private final Quantization quantization;
  private final int hnswM;
  private final int beamWidth;
  private final Integer maxTokens;
  private final int overlapTokens;
  private final String modelName;
  private final double ramBufferMb;

  private IndexOptions(Builder b) {
    this.quantization = b.quantization;
    this.hnswM = b.hnswM;
    this.beamWidth = b.beamWidth;
    this.maxTokens = b.maxTokens;
    this.overlapTokens = b.overlapTokens;
    this.modelName = b.modelName;
    this.ramBufferMb = b.ramBufferMb;
  }

  public static IndexOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Quantization quantization() {
    return quantization;
  }

  /** Neighbours per node in the HNSW graph (Lucene's maxConn, default 16). */
  public int hnswM() {
    return hnswM;
  }

  /** Candidates considered while inserting into the graph (efConstruction, default 100). */
  public int beamWidth() {
    return beamWidth;
  }

  /** Chunk budget in tokens; null means the model's max_seq_length. */
  public Integer maxTokens() {
    return maxTokens;
  }

  public int overlapTokens() {
    return overlapTokens;
  }

  /** The name that loads the model again (for the CLI); null means derived from its info. */
  public String modelName() {
    return modelName;
  }

  /** Memory for buffered documents before a segment is flushed (not stored in the index). */
  public double ramBufferMb() {
    return ramBufferMb;
  }

  /** Builder for {@link IndexOptions}. */
  public static final class Builder {
    private Quantization quantization = Quantization.INT8;
    private int hnswM = 16;
    private int beamWidth = 100;
    private Integer maxTokens;
    private int overlapTokens;
    private String modelName;
    private double ramBufferMb = 256;

    private Builder() {}

    /** Default int8: a quarter of the memory of floats at nearly the same recall. */
    public Builder quantization(Quantization quantization) {
      this.quantization = Objects.requireNonNull(quantization, "quantization");
      return this;
    }

    public Builder hnswM(int m) {
      if (m < 2 || m > 512) {
        throw new IllegalArgumentException("HNSW M must be between 2 and 512, got " + m);
      }
      this.hnswM = m;
      return this;
    }

    public Builder beamWidth(int beamWidth) {
      if (beamWidth < 1 || beamWidth > 3200) {
        throw new IllegalArgumentException(
            "beam width must be between 1 and 3200, got " + beamWidth);
      }
      this.beamWidth = beamWidth;
      return this;
    }

    public Builder maxTokens(Integer maxTokens) {
      if (maxTokens != null && maxTokens < 2) {
        throw new IllegalArgumentException("max tokens must be at least 2, got " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    public Builder overlapTokens(int overlapTokens) {
      if (overlapTokens < 0) {
        throw new IllegalArgumentException("overlap must not be negative, got " + overlapTokens);
      }
      this.overlapTokens = overlapTokens;
      return this;
    }

    public Builder modelName(String modelName) {
      this.modelName = modelName;
      return this;
    }

    public Builder ramBufferMb(double ramBufferMb) {
      if (!(ramBufferMb >= 1)) {
        throw new IllegalArgumentException("RAM buffer must be at least 1 MB");
      }
      this.ramBufferMb = ramBufferMb;
      return this;
    }

    public IndexOptions build() {
      return new IndexOptions(this);
    }
  }
}
