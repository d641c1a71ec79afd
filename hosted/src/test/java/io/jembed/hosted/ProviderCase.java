package io.jembed.hosted;

import io.jembed.LoadOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** One provider as the shared tests drive it: scheme, model, the fake's dialect and dimensions. */
enum ProviderCase {
  OPENAI("openai", "text-embedding-3-small", FakeEmbeddingServer.Dialect.OPENAI, 1536, 8, 2048),
  VOYAGE("voyage", "voyage-3.5", FakeEmbeddingServer.Dialect.VOYAGE, 1024, 256, 1000),
  COHERE("cohere", "embed-v4.0", FakeEmbeddingServer.Dialect.COHERE, 1536, 256, 96),
  OLLAMA("ollama", "nomic-embed-text", FakeEmbeddingServer.Dialect.OLLAMA, 16, null, 256),
  OPENAI_COMPATIBLE(
      "openai-compatible",
      "BAAI/bge-small-en-v1.5",
      FakeEmbeddingServer.Dialect.OPENAI,
      12,
      null,
      256);

  static final String KEY = "sk-test-0123456789abcdef";

  final String scheme;
  final String model;
  final FakeEmbeddingServer.Dialect dialect;
  final int nativeDimension;
  final Integer requestedDimensions;
  final int maxInputsPerRequest;

  ProviderCase(
      String scheme,
      String model,
      FakeEmbeddingServer.Dialect dialect,
      int nativeDimension,
      Integer requestedDimensions,
      int maxInputsPerRequest) {
    this.scheme = scheme;
    this.model = model;
    this.dialect = dialect;
    this.nativeDimension = nativeDimension;
    this.requestedDimensions = requestedDimensions;
    this.maxInputsPerRequest = maxInputsPerRequest;
  }

  int dimension() {
    return requestedDimensions == null ? nativeDimension : requestedDimensions;
  }

  FakeEmbeddingServer server() {
    return new FakeEmbeddingServer(dialect, nativeDimension, KEY);
  }

  /** Sleeps the provider asked for, recorded instead of slept. */
  static final class RecordingSleeper implements Sleeper {
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public void sleep(Duration duration) {
      sleeps.add(duration);
    }
  }

  HostedEmbeddingModel load(
      FakeEmbeddingServer server, Sleeper sleeper, Map<String, String> properties) {
    return load(server, sleeper, properties, Duration.ofSeconds(10));
  }

  HostedEmbeddingModel load(
      FakeEmbeddingServer server,
      Sleeper sleeper,
      Map<String, String> properties,
      Duration timeout) {
    LoadOptions.Builder options =
        LoadOptions.builder()
            .apiKey(KEY)
            .baseUrl(server.baseUrl())
            .dimensions(requestedDimensions)
            .timeout(timeout)
            .property(HostedSettings.INITIAL_BACKOFF_MS, "100");
    properties.forEach(options::property);
    return new HostedProvider(Map.<String, String>of()::get, sleeper)
        .load(scheme, model, options.build());
  }
}
