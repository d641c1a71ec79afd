package io.jembed.integrations;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.InputType;
import io.jembed.JembedException;
import io.jembed.LoadOptions;
import java.util.List;
import java.util.Objects;

/**
 * A jembed model as a framework adapter calls it: the options set once (batch size, precision...),
 * the role of each call (query or document: the model's own prompts, or prompts given here), a
 * per-call dimension, and what to do with inputs longer than the model reads.
 *
 * <p>jembed reports every truncated input ({@link Embeddings#truncatedCount()}, and a warning in
 * the log the first time); with {@link Builder#failOnTruncation(boolean)} an encode that would cut
 * a text fails instead, naming the input, so a RAG pipeline never indexes half a passage quietly.
 */
public final class EncodingModel implements AutoCloseable {
  private final EmbeddingModel model;
  private final boolean owned;
  private final EncodeOptions options;
  private final String queryPrompt;
  private final String documentPrompt;
  private final boolean failOnTruncation;

  private EncodingModel(Builder b) {
    if (b.model != null) {
      this.model = b.model;
      this.owned = false;
    } else {
      this.model =
          EmbeddingModel.load(
              b.modelName, b.loadOptions == null ? LoadOptions.defaults() : b.loadOptions);
      this.owned = true;
    }
    this.options = b.encodeOptions == null ? EncodeOptions.defaults() : b.encodeOptions;
    this.queryPrompt = b.queryPrompt;
    this.documentPrompt = b.documentPrompt;
    this.failOnTruncation = b.failOnTruncation;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The jembed model. */
  public EmbeddingModel model() {
    return model;
  }

  /** The model's name as its provider knows it. */
  public String modelName() {
    return model.id();
  }

  /** Length of the vectors, after the options' truncate dim. */
  public int dimension() {
    return model.info().withOptions(options).dimension();
  }

  /**
   * Encodes texts in input order.
   *
   * @param role QUERY or DOCUMENT picks the prompt given to the builder, else the model's own
   *     prompt for that role; NONE (or null) the model's default
   * @param dimensions the vectors' length for this call (Matryoshka truncation), or null
   */
  public Embeddings encode(List<String> texts, InputType role, Integer dimensions) {
    EncodeOptions.Builder o = options.toBuilder();
    InputType r = role == null ? InputType.NONE : role;
    String prompt =
        switch (r) {
          case QUERY -> queryPrompt;
          case DOCUMENT -> documentPrompt;
          case NONE -> null;
        };
    if (prompt != null) {
      o.prompt(prompt).inputType(InputType.NONE);
    } else if (r != InputType.NONE) {
      o.inputType(r);
    }
    if (dimensions != null) {
      if (dimensions > model.dimension()) {
        throw new IllegalArgumentException(
            "dimensions "
                + dimensions
                + " is more than "
                + model.id()
                + " gives ("
                + model.dimension()
                + ")");
      }
      o.truncateDim(dimensions);
    }
    Embeddings e = model.encode(texts, o.build());
    if (failOnTruncation && e.truncatedCount() > 0) {
      for (int i = 0; i < e.size(); i++) {
        if (e.truncated(i)) {
          throw new JembedException(
              "input "
                  + i
                  + " has "
                  + model.countTokens(texts.get(i))
                  + " tokens, more than "
                  + model.id()
                  + " reads ("
                  + model.maxSeqLength()
                  + "): split it into smaller segments, or allow truncation"
                  + " (failOnTruncation(false))");
        }
      }
    }
    return e;
  }

  /** Closes the model if this object loaded it (a model passed in stays open). */
  @Override
  public void close() {
    if (owned) {
      model.close();
    }
  }

  /** Builder for {@link EncodingModel}: a model name (or a loaded model) and the call options. */
  public static final class Builder {
    private String modelName = "all-MiniLM-L6-v2";
    private EmbeddingModel model;
    private LoadOptions loadOptions;
    private EncodeOptions encodeOptions;
    private String queryPrompt;
    private String documentPrompt;
    private boolean failOnTruncation;

    private Builder() {}

    /**
     * A bundled model, a local folder, a Hugging Face Hub id, or a hosted model ({@code
     * openai:text-embedding-3-small}, with jembed-hosted on the class path). Default
     * all-MiniLM-L6-v2.
     */
    public Builder modelName(String modelName) {
      this.modelName = Objects.requireNonNull(modelName, "modelName");
      return this;
    }

    /** A model loaded already; the caller keeps it and closes it. */
    public Builder model(EmbeddingModel model) {
      this.model = Objects.requireNonNull(model, "model");
      return this;
    }

    /** How the model loads: threads, device, revision, API key, cache... */
    public Builder loadOptions(LoadOptions loadOptions) {
      this.loadOptions = loadOptions;
      return this;
    }

    /** How texts are encoded: batch size, normalization, precision, truncate dim... */
    public Builder encodeOptions(EncodeOptions encodeOptions) {
      this.encodeOptions = encodeOptions;
      return this;
    }

    /** Put before every query (instead of the model's own query prompt). */
    public Builder queryPrompt(String queryPrompt) {
      this.queryPrompt = queryPrompt;
      return this;
    }

    /** Put before every document (instead of the model's own document prompt). */
    public Builder documentPrompt(String documentPrompt) {
      this.documentPrompt = documentPrompt;
      return this;
    }

    /** Fail on inputs longer than the model reads, instead of truncating them. */
    public Builder failOnTruncation(boolean failOnTruncation) {
      this.failOnTruncation = failOnTruncation;
      return this;
    }

    public EncodingModel build() {
      return new EncodingModel(this);
    }
  }
}
