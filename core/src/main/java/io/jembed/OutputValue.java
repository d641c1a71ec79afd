package io.jembed;

/** What {@code encode} returns, as sentence-transformers' {@code output_value}. */
public enum OutputValue {
  /** One pooled vector per text (the default). */
  SENTENCE_EMBEDDING,
  /** Additionally, the transformer's per-token vectors (before pooling) for each text. */
  TOKEN_EMBEDDINGS
}
