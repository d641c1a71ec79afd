package io.jembed;

import java.util.Objects;

/**
 * Options of one {@code encode} call, named as in sentence-transformers' {@code encode}. Immutable;
 * build with {@link #builder()}, or start from {@link #defaults()} and {@link #toBuilder()}.
 */
public final class EncodeOptions {
  public static final int DEFAULT_BATCH_SIZE = 32;
  private static final EncodeOptions DEFAULTS = builder().build();

  private final int batchSize;
  private final Boolean normalize;
  private final String prompt;
  private final String promptName;
  private final InputType inputType;
  private final Integer truncateDim;
  private final Precision precision;
  private final OutputValue outputValue;
  private final boolean showProgressBar;
  private final ProgressListener progressListener;

  private EncodeOptions(Builder b) {
    this.batchSize = b.batchSize;
    this.normalize = b.normalize;
    this.prompt = b.prompt;
    this.promptName = b.promptName;
    this.inputType = b.inputType;
    this.truncateDim = b.truncateDim;
    this.precision = b.precision;
    this.outputValue = b.outputValue;
    this.showProgressBar = b.showProgressBar;
    this.progressListener = b.progressListener;
  }

  public static EncodeOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.batchSize = batchSize;
    b.normalize = normalize;
    b.prompt = prompt;
    b.promptName = promptName;
    b.inputType = inputType;
    b.truncateDim = truncateDim;
    b.precision = precision;
    b.outputValue = outputValue;
    b.showProgressBar = showProgressBar;
    b.progressListener = progressListener;
    return b;
  }

  /** Texts per forward pass (default 32). */
  public int batchSize() {
    return batchSize;
  }

  /**
   * {@code null}: as the model's pipeline says (a Normalize module or not); {@code true}: always
   * unit length; {@code false}: never (the raw pooled vectors, even when the pipeline normalizes).
   */
  public Boolean normalize() {
    return normalize;
  }

  /** A literal prompt prepended to every text; wins over {@link #promptName()}. */
  public String prompt() {
    return prompt;
  }

  /** The name of one of the model's prompts ("query", "document", ...). */
  public String promptName() {
    return promptName;
  }

  /** Query or document: picks the model's matching prompt when no prompt is given. */
  public InputType inputType() {
    return inputType;
  }

  /**
   * Keep only the first N dimensions (Matryoshka), applied after the model's Normalize module as in
   * sentence-transformers: set {@code normalize(true)} to get unit-length truncated vectors. More
   * dimensions than the model's vectors have is an error (IllegalArgumentException from encode).
   */
  public Integer truncateDim() {
    return truncateDim;
  }

  public Precision precision() {
    return precision;
  }

  public OutputValue outputValue() {
    return outputValue;
  }

  /** Draw a progress bar on stderr. */
  public boolean showProgressBar() {
    return showProgressBar;
  }

  /** Told of progress, or {@code null}. */
  public ProgressListener progressListener() {
    return progressListener;
  }

  @Override
  public String toString() {
    return "EncodeOptions{batchSize="
        + batchSize
        + ", normalize="
        + normalize
        + ", prompt="
        + (prompt == null ? null : '"' + prompt + '"')
        + ", promptName="
        + promptName
        + ", inputType="
        + inputType
        + ", truncateDim="
        + truncateDim
        + ", precision="
        + precision.externalName()
        + ", outputValue="
        + outputValue
        + "}";
  }

  /** Builder for {@link EncodeOptions}; every setter validates its argument at once. */
  public static final class Builder {
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Boolean normalize;
    private String prompt;
    private String promptName;
    private InputType inputType = InputType.NONE;
    private Integer truncateDim;
    private Precision precision = Precision.FLOAT32;
    private OutputValue outputValue = OutputValue.SENTENCE_EMBEDDING;
    private boolean showProgressBar;
    private ProgressListener progressListener;

    private Builder() {}

    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    public Builder normalize(Boolean normalize) {
      this.normalize = normalize;
      return this;
    }

    public Builder prompt(String prompt) {
      this.prompt = prompt;
      return this;
    }

    public Builder promptName(String promptName) {
      this.promptName = promptName;
      return this;
    }

    public Builder inputType(InputType inputType) {
      this.inputType = Objects.requireNonNull(inputType, "inputType");
      return this;
    }

    public Builder truncateDim(Integer truncateDim) {
      if (truncateDim != null && truncateDim < 1) {
        throw new IllegalArgumentException("truncate dim must be at least 1, got " + truncateDim);
      }
      this.truncateDim = truncateDim;
      return this;
    }

    public Builder precision(Precision precision) {
      this.precision = Objects.requireNonNull(precision, "precision");
      return this;
    }

    public Builder outputValue(OutputValue outputValue) {
      this.outputValue = Objects.requireNonNull(outputValue, "outputValue");
      return this;
    }

    public Builder showProgressBar(boolean showProgressBar) {
      this.showProgressBar = showProgressBar;
      return this;
    }

    public Builder progressListener(ProgressListener progressListener) {
      this.progressListener = progressListener;
      return this;
    }

    public EncodeOptions build() {
      return new EncodeOptions(this);
    }
  }
}
