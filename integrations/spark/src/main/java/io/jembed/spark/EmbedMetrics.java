package io.jembed.spark;

import java.io.Serializable;
import java.util.Locale;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * What the tasks of one {@link JembedEmbedder#transform} did, counted into named Spark accumulators
 * (shown per stage in the Spark UI) and read on the driver once an action has run. Like every
 * accumulator updated inside a transformation, a task that Spark runs twice (a retry, a recomputed
 * partition) counts twice.
 */
public final class EmbedMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  final LongAccumulator rows;
  final LongAccumulator embedded;
  final LongAccumulator malformed;
  final LongAccumulator tokens;
  final LongAccumulator truncated;
  final LongAccumulator retries;
  final LongAccumulator rateLimitWaitMillis;
  final LongAccumulator modelLoads;
  final LongAccumulator modelLoadMillis;

  private EmbedMetrics(SparkContext sc) {
    rows = sc.longAccumulator("jembed rows");
    embedded = sc.longAccumulator("jembed rows embedded");
    malformed = sc.longAccumulator("jembed malformed rows");
    tokens = sc.longAccumulator("jembed tokens");
    truncated = sc.longAccumulator("jembed truncated inputs");
    retries = sc.longAccumulator("jembed hosted retries");
    rateLimitWaitMillis = sc.longAccumulator("jembed rate limit wait ms");
    modelLoads = sc.longAccumulator("jembed model loads");
    modelLoadMillis = sc.longAccumulator("jembed model load ms");
  }

  static EmbedMetrics register(SparkContext sc) {
    return new EmbedMetrics(sc);
  }

  /** Rows seen. */
  public long rows() {
    return rows.value();
  }

  /** Rows that got a vector. */
  public long embedded() {
    return embedded.value();
  }

  /**
   * Rows kept without a vector: null text, a value that is not a string, text the model refused.
   */
  public long malformed() {
    return malformed.value();
  }

  /**
   * Tokens the model processed (local models: after truncation, special tokens included; hosted
   * models: the usage the provider reported).
   */
  public long tokens() {
    return tokens.value();
  }

  /** Inputs longer than the model's maximum sequence length, cut to it. */
  public long truncated() {
    return truncated.value();
  }

  /** Hosted batches sent again after the provider's client gave up on them (429, 5xx, timeouts). */
  public long retries() {
    return retries.value();
  }

  /** Time tasks waited for the hosted rate budget, summed over tasks. */
  public long rateLimitWaitMillis() {
    return rateLimitWaitMillis.value();
  }

  /** Models loaded on executors (one per executor JVM and model). */
  public long modelLoads() {
    return modelLoads.value();
  }

  /** Time spent loading models on executors, summed. */
  public long modelLoadMillis() {
    return modelLoadMillis.value();
  }

  /** One line for logs and the job's output. */
  public String report() {
    return String.format(
        Locale.ROOT,
        "%,d rows: %,d embedded, %,d malformed; %,d tokens, %,d truncated inputs; "
            + "%d model loads (%,d ms); %,d hosted retries, %,d ms waiting for the rate budget",
        rows(),
        embedded(),
        malformed(),
        tokens(),
        truncated(),
        modelLoads(),
        modelLoadMillis(),
        retries(),
        rateLimitWaitMillis());
  }

  @Override
  public String toString() {
    return "EmbedMetrics[" + report() + "]";
  }
}
