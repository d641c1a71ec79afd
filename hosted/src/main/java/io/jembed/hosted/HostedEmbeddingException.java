package io.jembed.hosted;

import io.jembed.JembedException;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A hosted API failed. Tells which provider, the HTTP status (0 when no response came: timeout or
 * connection failure), the provider's own message, and which inputs were embedded before the
 * failure, with their vectors. Never contains the API key.
 */
public final class HostedEmbeddingException extends JembedException {
  private static final long serialVersionUID = 1L;

  private final String provider;
  private final String model;
  private final int statusCode;
  private final String providerMessage;
  private final float[][] partialVectors;
  private final long totalTokens;

  HostedEmbeddingException(
      String message,
      String provider,
      String model,
      int statusCode,
      String providerMessage,
      float[][] partialVectors,
      long totalTokens,
      Throwable cause) {
    super(message, cause);
    this.provider = provider;
    this.model = model;
    this.statusCode = statusCode;
    this.providerMessage = providerMessage == null ? "" : providerMessage;
    this.partialVectors = partialVectors;
    this.totalTokens = totalTokens;
  }

  /** "openai", "voyage", "cohere", "ollama" or "openai-compatible". */
  public String provider() {
    return provider;
  }

  /** The model name as sent to the provider. */
  public String model() {
    return model;
  }

  /** HTTP status of the failed request; 0 when no response arrived (timeout, connection). */
  public int statusCode() {
    return statusCode;
  }

  /** The provider's own error text ("" when it gave none). */
  public String providerMessage() {
    return providerMessage;
  }

  /** How many inputs the failed call had. */
  public int inputCount() {
    return partialVectors.length;
  }

  /** Indexes of the inputs that were embedded, ascending. */
  public int[] succeededIndexes() {
    return IntStream.range(0, partialVectors.length)
        .filter(i -> partialVectors[i] != null)
        .toArray();
  }

  /** Indexes of the inputs that were not embedded, ascending. */
  public int[] failedIndexes() {
    return IntStream.range(0, partialVectors.length)
        .filter(i -> partialVectors[i] == null)
        .toArray();
  }

  /** One entry per input, in input order: the vector, or null where the input failed. */
  public float[][] partialVectors() {
    return Arrays.stream(partialVectors)
        .map(v -> v == null ? null : v.clone())
        .toArray(float[][]::new);
  }

  /** Tokens the provider reported for the requests that succeeded. */
  public long totalTokens() {
    return totalTokens;
  }
}
