package io.jembed.server;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.ModelInfo;
import io.jembed.SimilarityFunction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A model with hand-made vectors for batching tests: the vector of a text is [length, first char,
 * hash, 1], tokens are words + 2, and every encode call is recorded. {@link #hold()} makes encode
 * calls wait until {@link #release()}.
 */
class FakeModel implements EmbeddingModel {
  static final int MAX_SEQ = 16;

  final List<List<String>> batches = new CopyOnWriteArrayList<>();
  private final Semaphore gate = new Semaphore(Integer.MAX_VALUE);
  private volatile long delayMillis;
  private volatile boolean held;

  FakeModel delay(long millis) {
    this.delayMillis = millis;
    return this;
  }

  void hold() {
    gate.drainPermits();
    held = true;
  }

  void release() {
    held = false;
    gate.release(Integer.MAX_VALUE / 2);
  }

  @Override
  public ModelInfo info() {
    return new ModelInfo(
        "test", "fake", "", 4, MAX_SEQ, false, SimilarityFunction.COSINE, Map.of(), null);
  }

  static float[] vectorOf(String text) {
    return new float[] {
      text.length(), text.isEmpty() ? 0 : text.charAt(0), text.hashCode() % 1000, 1
    };
  }

  static int tokens(String text) {
    String t = text.strip();
    return (t.isEmpty() ? 0 : t.split("\\s+").length) + 2;
  }

  @Override
  public Embeddings encode(List<String> texts, EncodeOptions options) {
    batches.add(List.copyOf(texts));
    if (held) {
      gate.acquireUninterruptibly();
    }
    if (delayMillis > 0) {
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    float[][] v = new float[texts.size()][];
    int[] counts = new int[texts.size()];
    boolean[] truncated = new boolean[texts.size()];
    long total = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] = vectorOf(texts.get(i));
      int n = tokens(texts.get(i));
      truncated[i] = n > MAX_SEQ;
      counts[i] = Math.min(n, MAX_SEQ);
      total += counts[i];
    }
    return new Embeddings(
        info(), v, io.jembed.Precision.FLOAT32, null, counts, truncated, total, null);
  }

  @Override
  public int countTokens(String text) {
    return tokens(text);
  }

  @Override
  public void close() {}
}
