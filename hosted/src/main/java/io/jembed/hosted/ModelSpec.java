package io.jembed.hosted;

import java.util.Map;
import java.util.Set;

/**
 * What the providers document about one model.
 *
 * @param dimension default output dimension
 * @param maxSeqLength context length in tokens
 * @param maxTokensPerRequest the provider's cap on the tokens of one request
 * @param dimensionsAllowed requested dimensions it accepts: null any in 1..dimension, empty none
 * @param normalized whether vectors come back unit length
 */
record ModelSpec(
    int dimension,
    int maxSeqLength,
    long maxTokensPerRequest,
    Set<Integer> dimensionsAllowed,
    boolean normalized) {

  private static final Set<Integer> MATRYOSHKA_VOYAGE = Set.of(256, 512, 1024, 2048);
  private static final Set<Integer> MATRYOSHKA_COHERE = Set.of(256, 512, 1024, 1536);
  private static final Set<Integer> NONE = Set.of();

  private static final Map<HostedApi, Map<String, ModelSpec>> KNOWN =
      Map.of(
          HostedApi.OPENAI,
          Map.of(
              "text-embedding-3-small", new ModelSpec(1536, 8191, 300_000, null, true),
              "text-embedding-3-large", new ModelSpec(3072, 8191, 300_000, null, true),
              "text-embedding-ada-002", new ModelSpec(1536, 8191, 300_000, NONE, true)),
          HostedApi.VOYAGE,
          Map.ofEntries(
              Map.entry(
                  "voyage-3.5", new ModelSpec(1024, 32_000, 320_000, MATRYOSHKA_VOYAGE, true)),
              Map.entry(
                  "voyage-3.5-lite",
                  new ModelSpec(1024, 32_000, 1_000_000, MATRYOSHKA_VOYAGE, true)),
              Map.entry(
                  "voyage-3-large", new ModelSpec(1024, 32_000, 120_000, MATRYOSHKA_VOYAGE, true)),
              Map.entry(
                  "voyage-code-3", new ModelSpec(1024, 32_000, 120_000, MATRYOSHKA_VOYAGE, true)),
              Map.entry("voyage-3", new ModelSpec(1024, 32_000, 320_000, NONE, true)),
              Map.entry("voyage-3-lite", new ModelSpec(512, 32_000, 1_000_000, NONE, true)),
              Map.entry("voyage-finance-2", new ModelSpec(1024, 32_000, 120_000, NONE, true)),
              Map.entry("voyage-multilingual-2", new ModelSpec(1024, 32_000, 120_000, NONE, true)),
              Map.entry("voyage-law-2", new ModelSpec(1024, 16_000, 120_000, NONE, true)),
              Map.entry("voyage-code-2", new ModelSpec(1536, 16_000, 120_000, NONE, true)),
              Map.entry("voyage-large-2", new ModelSpec(1536, 16_000, 120_000, NONE, true)),
              Map.entry("voyage-2", new ModelSpec(1024, 4_000, 320_000, NONE, true))),
          HostedApi.COHERE,
          Map.of(
              "embed-v4.0", new ModelSpec(1536, 128_000, Long.MAX_VALUE, MATRYOSHKA_COHERE, false),
              "embed-english-v3.0", new ModelSpec(1024, 512, Long.MAX_VALUE, NONE, false),
              "embed-multilingual-v3.0", new ModelSpec(1024, 512, Long.MAX_VALUE, NONE, false),
              "embed-english-light-v3.0", new ModelSpec(384, 512, Long.MAX_VALUE, NONE, false),
              "embed-multilingual-light-v3.0",
                  new ModelSpec(384, 512, Long.MAX_VALUE, NONE, false)));

  /** The documented spec, or null when the model is not in the table. */
  static ModelSpec known(HostedApi api, String model) {
    return KNOWN.getOrDefault(api, Map.of()).get(model);
  }

  /** Whether the model accepts this requested output dimension. */
  boolean allowsDimensions(int requested) {
    if (dimensionsAllowed == null) {
      return requested <= dimension;
    }
    return dimensionsAllowed.contains(requested);
  }
}
