package io.jembed.hosted;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tuning knobs of a hosted model, read from {@code LoadOptions.properties()}.
 *
 * @param maxConcurrency requests in flight at once
 * @param maxRetries retries after the first attempt for 408, 409, 429, 5xx, timeouts and connection
 *     failures
 * @param initialBackoff first backoff; doubled per retry
 * @param maxBackoff cap of the computed backoff
 * @param maxRetryAfter longest Retry-After the client agrees to wait; a longer one fails at once
 * @param maxInputsPerRequest null: the provider's limit; else at most that limit
 * @param maxTokensPerRequest null: the model's documented cap; else this (estimated tokens)
 * @param encodingFormat OpenAI "float" or "base64"; null: base64 for OpenAI, float elsewhere
 * @param inputType Voyage / Cohere input_type sent when the caller names none
 * @param truncation Voyage truncation / Cohere truncate / Ollama truncate
 */
record HostedSettings(
    int maxConcurrency,
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxRetryAfter,
    Integer maxInputsPerRequest,
    Long maxTokensPerRequest,
    String encodingFormat,
    String inputType,
    String truncation) {

  static final String MAX_CONCURRENCY = "max-concurrency";
  static final String MAX_RETRIES = "max-retries";
  static final String INITIAL_BACKOFF_MS = "initial-backoff-ms";
  static final String MAX_BACKOFF_MS = "max-backoff-ms";
  static final String MAX_RETRY_AFTER_MS = "max-retry-after-ms";
  static final String MAX_INPUTS_PER_REQUEST = "max-inputs-per-request";
  static final String MAX_TOKENS_PER_REQUEST = "max-tokens-per-request";
  static final String ENCODING_FORMAT = "encoding-format";
  static final String INPUT_TYPE = "input-type";
  static final String TRUNCATION = "truncation";

  static final Set<String> KEYS =
      Set.of(
          MAX_CONCURRENCY,
          MAX_RETRIES,
          INITIAL_BACKOFF_MS,
          MAX_BACKOFF_MS,
          MAX_RETRY_AFTER_MS,
          MAX_INPUTS_PER_REQUEST,
          MAX_TOKENS_PER_REQUEST,
          ENCODING_FORMAT,
          INPUT_TYPE,
          TRUNCATION);

  static HostedSettings from(Map<String, String> properties) {
    for (String key : properties.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown property '"
                + key
                + "' for a hosted model; known properties are "
                + String.join(", ", new TreeSet<>(KEYS)));
      }
    }
    String format = properties.get(ENCODING_FORMAT);
    if (format != null) {
      format = format.trim().toLowerCase(Locale.ROOT);
      if (!format.equals("float") && !format.equals("base64")) {
        throw new IllegalArgumentException(
            "property " + ENCODING_FORMAT + " must be float or base64, got '" + format + "'");
      }
    }
    String truncation = properties.get(TRUNCATION);
    if (truncation != null) {
      truncation = truncation.trim().toLowerCase(Locale.ROOT);
      if (!Set.of("true", "false", "none", "start", "end").contains(truncation)) {
        throw new IllegalArgumentException(
            "property "
                + TRUNCATION
                + " must be true, false, none, start or end, got '"
                + truncation
                + "'");
      }
    }
    Integer maxInputs =
        properties.containsKey(MAX_INPUTS_PER_REQUEST)
            ? (int) positive(properties, MAX_INPUTS_PER_REQUEST, 1)
            : null;
    Long maxTokens =
        properties.containsKey(MAX_TOKENS_PER_REQUEST)
            ? positive(properties, MAX_TOKENS_PER_REQUEST, 1)
            : null;
    return new HostedSettings(
        (int) longValue(properties, MAX_CONCURRENCY, 4, 1, 256),
        (int) longValue(properties, MAX_RETRIES, 4, 0, 100),
        Duration.ofMillis(longValue(properties, INITIAL_BACKOFF_MS, 500, 0, 3_600_000)),
        Duration.ofMillis(longValue(properties, MAX_BACKOFF_MS, 8_000, 0, 3_600_000)),
        Duration.ofMillis(longValue(properties, MAX_RETRY_AFTER_MS, 60_000, 0, 86_400_000)),
        maxInputs,
        maxTokens,
        format,
        blankToNull(properties.get(INPUT_TYPE)),
        truncation);
  }

  private static long positive(Map<String, String> properties, String key, long min) {
    return longValue(properties, key, min, min, Integer.MAX_VALUE);
  }

  private static long longValue(
      Map<String, String> properties, String key, long fallback, long min, long max) {
    String raw = properties.get(key);
    if (raw == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "property " + key + " must be a whole number, got '" + raw + "'");
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "property " + key + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
