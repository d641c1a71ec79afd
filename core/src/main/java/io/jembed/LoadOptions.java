package io.jembed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How to load a model. Every field is optional; providers ignore what does not concern them.
 * Immutable; build with {@link #builder()}.
 */
public final class LoadOptions {
  private static final LoadOptions DEFAULTS = builder().build();

  private final String revision;
  private final Path cacheDir;
  private final Boolean offline;
  private final Integer threads;
  private final String device;
  private final String apiKey;
  private final String baseUrl;
  private final Integer dimensions;
  private final Duration timeout;
  private final Map<String, String> properties;

  private LoadOptions(Builder b) {
    this.revision = b.revision;
    this.cacheDir = b.cacheDir;
    this.offline = b.offline;
    this.threads = b.threads;
    this.device = b.device;
    this.apiKey = b.apiKey;
    this.baseUrl = b.baseUrl;
    this.dimensions = b.dimensions;
    this.timeout = b.timeout;
    this.properties = Map.copyOf(b.properties);
  }

  public static LoadOptions defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.revision = revision;
    b.cacheDir = cacheDir;
    b.offline = offline;
    b.threads = threads;
    b.device = device;
    b.apiKey = apiKey;
    b.baseUrl = baseUrl;
    b.dimensions = dimensions;
    b.timeout = timeout;
    b.properties.putAll(properties);
    return b;
  }

  /** Hub revision (branch, tag or commit); default "main". */
  public Optional<String> revision() {
    return Optional.ofNullable(revision);
  }

  /**
   * Where downloads are cached: for Hub models the hub cache itself (as HF_HUB_CACHE; default
   * $HF_HOME/hub or ~/.cache/huggingface/hub), for bundled models the jembed cache (default
   * $JEMBED_HOME or ~/.cache/jembed). Both layouts can share one folder.
   */
  public Optional<Path> cacheDir() {
    return Optional.ofNullable(cacheDir);
  }

  /** Never touch the network (default: HF_HUB_OFFLINE / JEMBED_OFFLINE). */
  public Optional<Boolean> offline() {
    return Optional.ofNullable(offline);
  }

  /** Inference threads for local models (default: all cores). */
  public Optional<Integer> threads() {
    return Optional.ofNullable(threads);
  }

  /** "cpu" (default) or "cuda" / "cuda:N" for local models. */
  public Optional<String> device() {
    return Optional.ofNullable(device);
  }

  /** API key for hosted models (default: the provider's environment variable). */
  public Optional<String> apiKey() {
    return Optional.ofNullable(apiKey);
  }

  /** Base URL of a hosted API (or of the Hub, overriding HF_ENDPOINT). */
  public Optional<String> baseUrl() {
    return Optional.ofNullable(baseUrl);
  }

  /** Requested output dimensions for hosted models that support it. */
  public Optional<Integer> dimensions() {
    return Optional.ofNullable(dimensions);
  }

  /** Network timeout per request. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** Provider-specific settings. */
  public Map<String, String> properties() {
    return properties;
  }

  @Override
  public String toString() {
    // never print the API key
    return "LoadOptions{revision="
        + revision
        + ", cacheDir="
        + cacheDir
        + ", offline="
        + offline
        + ", threads="
        + threads
        + ", device="
        + device
        + ", apiKey="
        + (apiKey == null ? null : "***")
        + ", baseUrl="
        + baseUrl
        + ", dimensions="
        + dimensions
        + ", timeout="
        + timeout
        + ", properties="
        + properties.keySet()
        + "}";
  }

  /** Builder for {@link LoadOptions}. */
  public static final class Builder {
    private String revision;
    private Path cacheDir;
    private Boolean offline;
    private Integer threads;
    private String device;
    private String apiKey;
    private String baseUrl;
    private Integer dimensions;
    private Duration timeout;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {}

    public Builder revision(String revision) {
      this.revision = revision;
      return this;
    }

    public Builder cacheDir(Path cacheDir) {
      this.cacheDir = cacheDir;
      return this;
    }

    public Builder offline(Boolean offline) {
      this.offline = offline;
      return this;
    }

    public Builder threads(Integer threads) {
      if (threads != null && threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    public Builder device(String device) {
      this.device = device;
      return this;
    }

    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    public Builder dimensions(Integer dimensions) {
      if (dimensions != null && dimensions < 1) {
        throw new IllegalArgumentException("dimensions must be at least 1, got " + dimensions);
      }
      this.dimensions = dimensions;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder property(String key, String value) {
      properties.put(key, value);
      return this;
    }

    public LoadOptions build() {
      return new LoadOptions(this);
    }
  }
}
