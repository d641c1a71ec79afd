package io.jembed.springai;

import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.InputType;
import io.jembed.LoadOptions;
import io.jembed.integrations.EncodingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.document.Document;
import org.springframework.ai.embedding.AbstractEmbeddingModel;
import org.springframework.ai.embedding.Embedding;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.embedding.EmbeddingResponseMetadata;

/**
 * Spring AI's {@link org.springframework.ai.embedding.EmbeddingModel} backed by any jembed model: a
 * bundled one (all-MiniLM-L6-v2, bge-small-en-v1.5, e5-small-v2 and their int8 versions), a local
 * sentence-transformers folder, a Hugging Face Hub id, or a hosted model ({@code
 * openai:text-embedding-3-small} with jembed-hosted on the class path).
 *
 * <pre>{@code
 * JembedEmbeddingModel model = JembedEmbeddingModel.builder().modelName("all-MiniLM-L6-v2").build();
 * float[] v = model.embed("The cat sat on the mat.");
 * }</pre>
 *
 * <p>Texts are encoded as sentence-transformers does: up to the model's {@code max_seq_length} (256
 * tokens for all-MiniLM-L6-v2), in length-sorted batches. Longer texts are truncated and reported
 * (the response metadata's {@value #TRUNCATED_INPUTS}, and a warning in the log), or refused with
 * {@code failOnTruncation(true)}. {@link #embed(Document)} encodes a document (the model's document
 * prompt, or the one given to the builder); {@link JembedVectorStore} also encodes queries with the
 * query prompt. {@link EmbeddingOptions#getDimensions()} truncates the vectors (Matryoshka). Close
 * it to release the model it loaded.
 */
public final class JembedEmbeddingModel extends AbstractEmbeddingModel implements AutoCloseable {
  /** Response metadata key: positions of the inputs cut to the model's max_seq_length. */
  public static final String TRUNCATED_INPUTS = "truncated-inputs";

  private final EncodingModel encoding;

  private JembedEmbeddingModel(EncodingModel encoding) {
    this.encoding = encoding;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The jembed model underneath. */
  public io.jembed.EmbeddingModel jembedModel() {
    return encoding.model();
  }

  EncodingModel encoding() {
    return encoding;
  }

  @Override
  public EmbeddingResponse call(EmbeddingRequest request) {
    EmbeddingOptions options = request.getOptions();
    Integer dimensions = null;
    if (options != null) {
      String asked = options.getModel();
      if (asked != null && !asked.isBlank() && !asked.equals(encoding.modelName())) {
        throw new IllegalArgumentException(
            "this embedding model is "
                + encoding.modelName()
                + "; a request for model '"
                + asked
                + "' needs its own JembedEmbeddingModel");
      }
      dimensions = options.getDimensions();
    }
    return respond(request.getInstructions(), dimensions);
  }

  @Override
  public float[] embed(Document document) {
    if (document.getText() == null) {
      throw new IllegalArgumentException("document '" + document.getId() + "' has no text");
    }
    return encoding.encode(List.of(document.getText()), InputType.DOCUMENT, null).get(0);
  }

  private EmbeddingResponse respond(List<String> texts, Integer dimensions) {
    Embeddings e = encoding.encode(texts, InputType.NONE, dimensions);
    List<Embedding> results = new ArrayList<>(e.size());
    List<Integer> truncated = new ArrayList<>();
    for (int i = 0; i < e.size(); i++) {
      results.add(new Embedding(e.get(i), i));
      if (e.truncated(i)) {
        truncated.add(i);
      }
    }
    int tokens = Math.toIntExact(e.totalTokens());
    return new EmbeddingResponse(
        results,
        new EmbeddingResponseMetadata(
            encoding.modelName(),
            new DefaultUsage(tokens, 0, tokens),
            Map.of(TRUNCATED_INPUTS, List.copyOf(truncated))));
  }

  @Override
  public int dimensions() {
    return encoding.dimension();
  }

  /** Releases the model if this object loaded it (a jembed model passed in stays open). */
  @Override
  public void close() {
    encoding.close();
  }

  @Override
  public String toString() {
    return "JembedEmbeddingModel[" + encoding.modelName() + ", " + dimensions() + "-d]";
  }

  /** Builder for {@link JembedEmbeddingModel}. */
  public static final class Builder {
    private final EncodingModel.Builder encoding = EncodingModel.builder();

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

    /** Put before every search query (instead of the model's own query prompt). */
    public Builder queryPrompt(String queryPrompt) {
      encoding.queryPrompt(queryPrompt);
      return this;
    }

    /** Put before every document (instead of the model's own document prompt). */
    public Builder documentPrompt(String documentPrompt) {
      encoding.documentPrompt(documentPrompt);
      return this;
    }

    /** Refuse texts longer than the model reads instead of truncating them. */
    public Builder failOnTruncation(boolean failOnTruncation) {
      encoding.failOnTruncation(failOnTruncation);
      return this;
    }

    public JembedEmbeddingModel build() {
      return new JembedEmbeddingModel(encoding.build());
    }
  }
}
