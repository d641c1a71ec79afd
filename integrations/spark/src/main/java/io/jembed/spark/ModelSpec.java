package io.jembed.spark;

import io.jembed.LoadOptions;
import io.jembed.spi.EmbeddingModelProvider;
import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Which model an executor loads: the name as {@code EmbeddingModel.load} takes it (bundled, folder,
 * Hub id, {@code openai:...}), a base URL, inference threads and provider properties. Two tasks
 * with equal specs share one loaded model.
 *
 * @param name the model's name
 * @param baseUrl a hosted API's base URL (or the Hub's), or null
 * @param threads inference threads of a local model; null: the executor's cores
 * @param properties {@code LoadOptions} properties (a local model's "workers", a hosted model's
 *     "max-retries", ...)
 */
record ModelSpec(String name, String baseUrl, Integer threads, Map<String, String> properties)
    implements Serializable {

  ModelSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    if (threads != null && threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    properties = Map.copyOf(new TreeMap<>(Objects.requireNonNull(properties, "properties")));
  }

  /**
   * This spec as an executor with {@code cores} task slots loads it: a local model without a thread
   * count gets one per core, so sessions of another size (local[1], then local[2]) in one JVM do
   * not share a model sized for the other.
   */
  ModelSpec forExecutor(int cores) {
    return threads != null || hosted() ? this : new ModelSpec(name, baseUrl, cores, properties);
  }

  /** Whether a hosted provider on the class path answers to this name's scheme. */
  boolean hosted() {
    int colon = name.indexOf(':');
    if (colon <= 1) { // "C:\models" is a Windows path
      return false;
    }
    String scheme = name.substring(0, colon).toLowerCase(Locale.ROOT);
    for (EmbeddingModelProvider provider : ServiceLoader.load(EmbeddingModelProvider.class)) {
      if (provider.schemes().contains(scheme)) {
        return true;
      }
    }
    return false;
  }

  /**
   * How to load the model. A local model's latency session (for repeated single queries) is off: a
   * Spark job only ever encodes batches.
   */
  LoadOptions loadOptions() {
    LoadOptions.Builder b = LoadOptions.builder().baseUrl(baseUrl).threads(threads);
    if (!hosted()) {
      b.property("latencySession", "false");
    }
    properties.forEach(b::property);
    return b.build();
  }
}
