package io.jembed;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a model is: enough to tell whether two sets of vectors are comparable. Stored with caches,
 * embedding files and indexes, and compared through {@link #identity()}.
 *
 * @param provider "local" for in-process models, or the hosted provider ("openai", "voyage", ...)
 * @param id the model's name as its provider knows it ("sentence-transformers/all-MiniLM-L6-v2",
 *     "text-embedding-3-small")
 * @param revision what exactly was loaded (a weights fingerprint, a Hub commit, an API version), or
 *     "" when unknown
 * @param dimension length of the vectors this model returns (after any requested dimensions)
 * @param maxSeqLength longest input in tokens; longer input is truncated
 * @param normalized whether vectors come out unit length
 * @param similarity the model's own similarity function
 * @param prompts named prompts ("query" -&gt; "query: ")
 * @param defaultPromptName the prompt applied when none is chosen, or null
 */
public record ModelInfo(
    String provider,
    String id,
    String revision,
    int dimension,
    int maxSeqLength,
    boolean normalized,
    SimilarityFunction similarity,
    Map<String, String> prompts,
    String defaultPromptName) {

  public ModelInfo {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(id, "id");
    revision = revision == null ? "" : revision;
    Objects.requireNonNull(similarity, "similarity");
    prompts =
        prompts == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(prompts));
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive, got " + dimension);
    }
  }

  /**
   * A stable key for "vectors made by this model are comparable": provider, id, revision,
   * dimension, normalization, similarity and prompts. Two models with different identities never
   * share a cache or an index.
   */
  public String identity() {
    StringBuilder sb = new StringBuilder();
    sb.append(provider).append(':').append(id);
    if (!revision.isEmpty()) {
      sb.append('@').append(revision);
    }
    sb.append(";dim=").append(dimension);
    sb.append(";normalized=").append(normalized);
    sb.append(";similarity=").append(similarity.externalName());
    if (!prompts.isEmpty()) {
      sb.append(";prompts=").append(prompts.hashCode() & 0x7fffffff);
    }
    return sb.toString();
  }

  /**
   * This model as it is with {@code options}: truncate dim and normalization change the vectors.
   *
   * @throws IllegalArgumentException when the truncate dim is larger than this model's dimension
   */
  public ModelInfo withOptions(EncodeOptions options) {
    Integer truncateDim = options.truncateDim();
    if (truncateDim != null && truncateDim > dimension) {
      throw new IllegalArgumentException(
          "truncate dim "
              + truncateDim
              + " is larger than the "
              + dimension
              + " dimensions of "
              + id
              + "'s vectors");
    }
    int dim = truncateDim == null ? dimension : truncateDim;
    // as sentence-transformers: truncating a normalized vector leaves it shorter than 1 unless
    // normalize_embeddings asks for renormalization
    boolean norm =
        options.normalize() == null ? normalized && dim == dimension : options.normalize();
    if (dim == dimension && norm == normalized) {
      return this;
    }
    return new ModelInfo(
        provider, id, revision, dim, maxSeqLength, norm, similarity, prompts, defaultPromptName);
  }
}
