package io.jembed.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.InputType;
import io.jembed.LoadOptions;
import io.jembed.integrations.EncodingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * LangChain4j's {@link EmbeddingModel} backed by any jembed model: a bundled one (all-MiniLM-L6-v2,
 * bge-small-en-v1.5, e5-small-v2 and their int8 versions), a local sentence-transformers folder, a
 * Hugging Face Hub id, or a hosted model ({@code openai:text-embedding-3-small} with jembed-hosted
 * on the class path).
 *
 * <pre>{@code
 * JembedEmbeddingModel model = JembedEmbeddingModel.builder()
 *     .modelName("all-MiniLM-L6-v2")
 *     .build();
 * Embedding e = model.embed("The cat sat on the mat.").content();
 * }</pre>
 *
 * <p>Inputs are encoded as sentence-transformers does: up to the model's {@code max_seq_length}
 * (256 tokens for all-MiniLM-L6-v2), in length-sorted batches. Longer inputs are truncated and
 * reported ({@link JembedEmbeddingResponseMetadata#truncatedInputs()}, and a warning in the log),
 * or refused with {@code failOnTruncation(true)}. Per call it honours LangChain4j's {@code
 * inputType} (the model's query or document prompt, or the prompts given to the builder) and {@code
 * dimensions} (Matryoshka truncation). Close it to release the model it loaded.
 */
public final class JembedEmbeddingModel implements EmbeddingModel, AutoCloseable {
  private static final Set<EmbeddingParameter<?>> SUPPORTED =
      Set.of(EmbeddingRequestParameters.INPUT_TYPE, EmbeddingRequestParameters.DIMENSIONS);

  private final EncodingModel encoding;
  private final List<EmbeddingModelListener> listeners;

  private JembedEmbeddingModel(Builder b) {
    this.encoding = b.encoding.build();
    this.listeners = List.copyOf(b.listeners);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The jembed model underneath (for a {@link JembedEmbeddingStore}, or jembed's own API). */
  public io.jembed.EmbeddingModel jembedModel() {
    return encoding.model();
  }

  EncodingModel encoding() {
    return encoding;
  }

  @Override
  public EmbeddingResponse doEmbed(EmbeddingRequest request) {
    List<String> texts = new ArrayList<>(request.inputs().size());
    for (EmbeddingInput input : request.inputs()) {
      texts.add(input.text());
    }
    InputType role =
        request.inputType() == null
            ? InputType.NONE
            : switch (request.inputType()) {
              case QUERY -> InputType.QUERY;
              case DOCUMENT -> InputType.DOCUMENT;
            };
    Embeddings e = encoding.encode(texts, role, request.dimensions());
    List<Embedding> out = new ArrayList<>(e.size());
    List<Integer> truncated = new ArrayList<>();
    for (int i = 0; i < e.size(); i++) {
      out.add(Embedding.from(e.get(i)));
      if (e.truncated(i)) {
        truncated.add(i);
      }
    }
    return EmbeddingResponse.builder()
        .embeddings(out)
        .metadata(
            JembedEmbeddingResponseMetadata.builder()
                .truncatedInputs(truncated)
                .modelName(modelName())
                .tokenUsage(new TokenUsage(Math.toIntExact(e.totalTokens())))
                .build())
        .build();
  }

  @Override
  public Set<EmbeddingParameter<?>> supportedParameters() {
    return SUPPORTED;
  }

  @Override
  public List<EmbeddingModelListener> listeners() {
    return listeners;
  }

  @Override
  public int dimension() {
    return encoding.dimension();
  }

  @Override
  public String modelName() {
    return encoding.modelName();
  }

  /** Releases the model if this object loaded it (a jembed model passed in stays open). */
  @Override
  public void close() {
    encoding.close();
  }

  @Override
  public String toString() {
    return "JembedEmbeddingModel[" + modelName() + ", " + dimension() + "-d]";
  }

  /** Builder for {@link JembedEmbeddingModel}. */
  public static final class Builder {
    private final EncodingModel.Builder encoding = EncodingModel.builder();
    private final List<EmbeddingModelListener> listeners = new ArrayList<>();

    private Builder() {}

    /**
     * What to load (default all-MiniLM-L6-v2): a bundled model name, a local folder, a Hugging Face
     * Hub id ({@code org/name}), or a hosted model ({@code openai:text-embedding-3-small}).
     */
    public Builder modelName(String modelName) {
      encoding.modelName(modelName);
      return this;
    }

    /** A jembed model loaded already; the caller keeps it and closes it. */
    public Builder model(io.jembed.EmbeddingModel model) {
      encoding.model(model);
      return this;
    }

    /** How the model loads: threads, device ("cuda"), revision, API key, cache folder... */
    public Builder loadOptions(LoadOptions loadOptions) {
      encoding.loadOptions(loadOptions);
      return this;
    }

    /** How texts are encoded: batch size, normalization, truncate dim... */
    public Builder encodeOptions(EncodeOptions encodeOptions) {
      encoding.encodeOptions(encodeOptions);
      return this;
    }

    /** Put before texts embedded with input type QUERY (instead of the model's query prompt). */
    public Builder queryPrompt(String queryPrompt) {
      encoding.queryPrompt(queryPrompt);
      return this;
    }

    /** Put before texts embedded with input type DOCUMENT (instead of the model's own). */
    public Builder documentPrompt(String documentPrompt) {
      encoding.documentPrompt(documentPrompt);
      return this;
    }

    /** Refuse inputs longer than the model reads instead of truncating them. */
    public Builder failOnTruncation(boolean failOnTruncation) {
      encoding.failOnTruncation(failOnTruncation);
      return this;
    }

    /** Listeners notified around each embedding call. */
    public Builder listeners(List<EmbeddingModelListener> listeners) {
      this.listeners.addAll(listeners);
      return this;
    }

    public JembedEmbeddingModel build() {
      return new JembedEmbeddingModel(this);
    }
  }
}
