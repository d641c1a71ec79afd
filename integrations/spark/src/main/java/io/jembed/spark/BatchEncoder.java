package io.jembed.spark;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.Precision;
import io.jembed.engine.Quantizer;
import io.jembed.hosted.HostedEmbeddingException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Encodes one batch of a partition. Vectors come out float32 and are quantized here, on the whole
 * batch, as jembed's own encode does. A hosted model first waits for this executor's share of the
 * rate budget, and a batch the provider's client gave up on (429, 5xx, timeouts, after its own
 * retries) is sent again, only its missing rows, after a pause that starts at the client's {@code
 * initial-backoff-ms} and doubles: a batch either comes back whole or fails its task, which Spark
 * then retries; no row is ever dropped. A batch the provider refuses as bad input (400, 413, 422)
 * throws IllegalArgumentException, as a refused text does, so its rows are tried one by one.
 */
final class BatchEncoder {
  private static final long FIRST_PAUSE_MS = 1_000;
  private static final long MAX_PAUSE_MS = 60_000;

  /** The hosted client's own backoff setting, shared by this second layer of retries. */
  private static final String INITIAL_BACKOFF_PROPERTY = "initial-backoff-ms";

  /** Vectors of one batch, in input order, and what encoding them counted. */
  record Encoded(float[][] vectors, byte[][] quantized, long tokens, int truncated) {}

  private final EmbeddingModel model;
  private final EmbedSettings settings;
  private final EmbedMetrics metrics;
  private final boolean hosted;
  private final EncodeOptions options;
  private final long firstPauseMillis;

  BatchEncoder(EmbeddingModel model, EmbedSettings settings, EmbedMetrics metrics, boolean hosted) {
    this.model = model;
    this.settings = settings;
    this.metrics = metrics;
    this.hosted = hosted;
    this.options = settings.encodeOptions().toBuilder().precision(Precision.FLOAT32).build();
    String backoff = settings.model().properties().get(INITIAL_BACKOFF_PROPERTY);
    this.firstPauseMillis = backoff == null ? FIRST_PAUSE_MS : Math.max(1, Long.parseLong(backoff));
  }

  /**
   * Encodes {@code texts}; an input the model refuses (IllegalArgumentException) fails the whole
   * call, as {@code encode} does.
   */
  Encoded encode(List<String> texts) {
    if (!hosted) {
      Embeddings e = model.encode(texts, options);
      return finish(e.vectors(), tokens(e), e.truncatedCount());
    }
    return encodeHosted(texts);
  }

  private Encoded encodeHosted(List<String> texts) {
    int n = texts.size();
    float[][] vectors = new float[n][];
    List<Integer> pending = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      pending.add(i);
    }
    long tokens = 0;
    for (int attempt = 1; ; attempt++) {
      List<String> batch = new ArrayList<>(pending.size());
      long estimate = 0;
      for (int i : pending) {
        batch.add(texts.get(i));
        estimate += model.countTokens(texts.get(i));
      }
      waitForBudget(estimate);
      try {
        Embeddings e = model.encode(batch, options);
        for (int j = 0; j < batch.size(); j++) {
          vectors[pending.get(j)] = e.get(j);
        }
        tokens += e.totalTokens();
        settings.budget().charge(settings.model(), e.totalTokens() - estimate);
        return finish(vectors, tokens, 0);
      } catch (HostedEmbeddingException e) {
        float[][] partial = e.partialVectors();
        List<Integer> stillPending = new ArrayList<>();
        for (int j = 0; j < partial.length; j++) {
          if (partial[j] != null) {
            vectors[pending.get(j)] = partial[j];
          } else {
            stillPending.add(pending.get(j));
          }
        }
        pending = stillPending;
        tokens += e.totalTokens();
        if (refusesInput(e.statusCode())) {
          // the provider refused something in the batch: the caller tries its rows one by one
          throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (!retryable(e.statusCode()) || attempt >= settings.maxAttempts()) {
          throw new JembedException(
              pending.size()
                  + " of "
                  + n
                  + " rows of a batch are not embedded after "
                  + attempt
                  + (attempt == 1 ? " attempt" : " attempts")
                  + ": "
                  + e.getMessage()
                  + ". The task fails (Spark retries it) rather than drop these rows",
              e);
        }
        metrics.retries.add(1);
        pause(attempt);
      }
    }
  }

  private void waitForBudget(long tokens) {
    try {
      metrics.rateLimitWaitMillis.add(settings.budget().acquire(settings.model(), tokens));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JembedException("interrupted while waiting for the rate budget", e);
    }
  }

  private void pause(int attempt) {
    long first = firstPauseMillis;
    long base = Math.min(MAX_PAUSE_MS, first << Math.min(attempt - 1, 16));
    long jittered = Math.round(base * (1 - 0.25 * ThreadLocalRandom.current().nextDouble()));
    try {
      Thread.sleep(jittered);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JembedException("interrupted while waiting to retry", e);
    }
  }

  /** Bad request, too large, unprocessable: about the input, not the provider's state. */
  private static boolean refusesInput(int status) {
    return status == 400 || status == 413 || status == 422;
  }

  /** What the hosted client retries too: the provider may answer later. */
  private static boolean retryable(int status) {
    return status == 0 || status == 408 || status == 409 || status == 429 || status >= 500;
  }

  private Encoded finish(float[][] vectors, long tokens, int truncated) {
    return new Encoded(
        vectors, Quantizer.quantize(vectors, settings.precision()), tokens, truncated);
  }

  /** The provider's usage for hosted models, else tokens per input after truncation. */
  private static long tokens(Embeddings e) {
    if (e.totalTokens() > 0 || e.tokenCounts() == null) {
      return e.totalTokens();
    }
    long sum = 0;
    for (int t : e.tokenCounts()) {
      sum += t;
    }
    return sum;
  }
}
