package io.jembed.hosted;

import java.util.List;

/**
 * The hosted embedding APIs jembed speaks, with their defaults and documented per-request limits.
 */
enum HostedApi {
  OPENAI(
      "openai",
      "OpenAI",
      "https://api.openai.com/v1",
      "/v1",
      "embeddings",
      List.of("OPENAI_API_KEY"),
      true,
      2048,
      300_000,
      true),
  VOYAGE(
      "voyage",
      "Voyage AI",
      "https://api.voyageai.com/v1",
      "/v1",
      "embeddings",
      List.of("VOYAGE_API_KEY"),
      true,
      1000,
      120_000,
      true),
  COHERE(
      "cohere",
      "Cohere",
      "https://api.cohere.com/v2",
      "/v2",
      "embed",
      List.of("CO_API_KEY", "COHERE_API_KEY"),
      true,
      96,
      Long.MAX_VALUE,
      false),
  OLLAMA(
      "ollama",
      "Ollama",
      "http://localhost:11434",
      "/api",
      "embed",
      List.of(),
      false,
      256,
      Long.MAX_VALUE,
      true),
  OPENAI_COMPATIBLE(
      "openai-compatible",
      "OpenAI-compatible server",
      null,
      "/v1",
      "embeddings",
      List.of("OPENAI_COMPATIBLE_API_KEY"),
      false,
      256,
      Long.MAX_VALUE,
      false);

  final String scheme;
  final String displayName;

  /** Used when neither an option nor an environment variable names a base URL; null: required. */
  final String defaultBaseUrl;

  /** Appended to a base URL that has no path of its own ("http://localhost:8080" + "/v1"). */
  final String defaultPathPrefix;

  final String endpointLeaf;
  final List<String> keyVariables;
  final boolean keyRequired;
  final int maxInputsPerRequest;

  /** Token cap of one request for models missing from the known table. */
  final long defaultMaxTokensPerRequest;

  /** Whether vectors come back unit length when the model is not in the known table. */
  final boolean defaultNormalized;

  HostedApi(
      String scheme,
      String displayName,
      String defaultBaseUrl,
      String defaultPathPrefix,
      String endpointLeaf,
      List<String> keyVariables,
      boolean keyRequired,
      int maxInputsPerRequest,
      long defaultMaxTokensPerRequest,
      boolean defaultNormalized) {
    this.scheme = scheme;
    this.displayName = displayName;
    this.defaultBaseUrl = defaultBaseUrl;
    this.defaultPathPrefix = defaultPathPrefix;
    this.endpointLeaf = endpointLeaf;
    this.keyVariables = keyVariables;
    this.keyRequired = keyRequired;
    this.maxInputsPerRequest = maxInputsPerRequest;
    this.defaultMaxTokensPerRequest = defaultMaxTokensPerRequest;
    this.defaultNormalized = defaultNormalized;
  }

  static HostedApi forScheme(String scheme) {
    for (HostedApi api : values()) {
      if (api.scheme.equals(scheme)) {
        return api;
      }
    }
    throw new IllegalArgumentException("unknown hosted provider '" + scheme + "'");
  }
}
