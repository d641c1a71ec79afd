package io.jembed.langchain4j;

import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import java.util.List;
import java.util.Objects;

/** LangChain4j's response metadata plus which inputs were longer than the model reads. */
public final class JembedEmbeddingResponseMetadata extends EmbeddingResponseMetadata {
  private final List<Integer> truncatedInputs;

  private JembedEmbeddingResponseMetadata(Builder builder) {
    super(builder);
    this.truncatedInputs = List.copyOf(builder.truncatedInputs);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Positions of the inputs that were cut to the model's max_seq_length (empty: none). */
  public List<Integer> truncatedInputs() {
    return truncatedInputs;
  }

  @Override
  public boolean equals(Object o) {
    return super.equals(o)
        && truncatedInputs.equals(((JembedEmbeddingResponseMetadata) o).truncatedInputs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(super.hashCode(), truncatedInputs);
  }

  @Override
  public String toString() {
    return super.toString() + "{truncatedInputs=" + truncatedInputs + "}";
  }

  /** Builder for {@link JembedEmbeddingResponseMetadata}. */
  public static final class Builder extends EmbeddingResponseMetadata.Builder<Builder> {
    private List<Integer> truncatedInputs = List.of();

    private Builder() {}

    public Builder truncatedInputs(List<Integer> truncatedInputs) {
      this.truncatedInputs = truncatedInputs;
      return this;
    }

    @Override
    public JembedEmbeddingResponseMetadata build() {
      return new JembedEmbeddingResponseMetadata(this);
    }
  }
}
