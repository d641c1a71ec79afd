package io.jembed;

import io.jembed.spi.EmbeddingModelProvider;
import java.util.List;

/**
 * A model that turns text into vectors: a local {@link SentenceTransformer} or a hosted API.
 * Search, mining, plotting and indexing take any implementation.
 *
 * <p>Implementations are safe for concurrent use and hold native or network resources until {@link
 * #close()}.
 */
public interface EmbeddingModel extends AutoCloseable {

  /**
   * Loads a model by name, like {@code SentenceTransformer("all-MiniLM-L6-v2")}: a bundled model
   * name, a local directory, a Hugging Face Hub id ({@code org/name} or {@code org/name@revision}),
   * or a hosted model ({@code openai:text-embedding-3-small}, when jembed-hosted is on the class
   * path).
   */
  static EmbeddingModel load(String name) {
    return load(name, LoadOptions.defaults());
  }

  /** As {@link #load(String)}, with options (API key, base URL, revision, threads...). */
  static EmbeddingModel load(String name, LoadOptions options) {
    return EmbeddingModelProvider.resolve(name, options);
  }

  /** What this model is; stored with anything made from its vectors. */
  ModelInfo info();

  /** Encodes texts in input order. */
  Embeddings encode(List<String> texts, EncodeOptions options);

  /**
   * Tokens the model would see for this text, special tokens included (before truncation). Hosted
   * models without a local tokenizer return an estimate.
   */
  int countTokens(String text);

  /** Releases native resources or connections; further calls fail. Never throws checked. */
  @Override
  void close();

  /** The model's name. */
  default String id() {
    return info().id();
  }

  /** Length of the vectors. */
  default int dimension() {
    return info().dimension();
  }

  /** Longest input in tokens. */
  default int maxSeqLength() {
    return info().maxSeqLength();
  }

  /** The model's own similarity function. */
  default SimilarityFunction similarityFunction() {
    return info().similarity();
  }

  /** Encodes one text. */
  default float[] encode(String text) {
    return encode(List.of(requireText(text)), EncodeOptions.defaults()).get(0);
  }

  /** Encodes texts: n x dimension, in input order. */
  default float[][] encode(List<String> texts) {
    return encode(texts, EncodeOptions.defaults()).vectors();
  }

  /** Encodes a search query (the model's query prompt or input type). */
  default float[] encodeQuery(String text) {
    return encodeQuery(List.of(requireText(text)), EncodeOptions.defaults()).get(0);
  }

  /** Encodes search queries. */
  default Embeddings encodeQuery(List<String> texts, EncodeOptions options) {
    return encode(texts, options.toBuilder().inputType(InputType.QUERY).build());
  }

  /** Encodes one document to be searched (the model's document prompt or input type). */
  default float[] encodeDocument(String text) {
    return encodeDocument(List.of(requireText(text)), EncodeOptions.defaults()).get(0);
  }

  /** Encodes documents to be searched. */
  default Embeddings encodeDocument(List<String> texts, EncodeOptions options) {
    return encode(texts, options.toBuilder().inputType(InputType.DOCUMENT).build());
  }

  /** Similarity of two vectors with the model's similarity function. */
  default float similarity(float[] a, float[] b) {
    return similarityFunction().score(a, b);
  }

  /** The similarity matrix of two sets of vectors with the model's similarity function. */
  default float[][] similarity(float[][] a, float[][] b) {
    return similarityFunction().matrix(a, b);
  }

  private static String requireText(String text) {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null");
    }
    return text;
  }
}
