package io.jembed.hosted;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.LoadOptions;
import io.jembed.spi.EmbeddingModelProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Makes {@code openai:}, {@code voyage:}, {@code cohere:}, {@code ollama:} and {@code
 * openai-compatible:} model names loadable through {@link EmbeddingModel#load(String,
 * LoadOptions)}. Registered in {@code META-INF/services}.
 *
 * <p>API keys come from {@link LoadOptions#apiKey()}, else OPENAI_API_KEY, VOYAGE_API_KEY,
 * CO_API_KEY (or COHERE_API_KEY), OPENAI_COMPATIBLE_API_KEY. Base URLs from {@link
 * LoadOptions#baseUrl()}, else OPENAI_BASE_URL (OpenAI) or OLLAMA_HOST (Ollama), else the
 * provider's public endpoint; {@code openai-compatible:} needs one explicitly.
 */
public final class HostedProvider implements EmbeddingModelProvider {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private final Function<String, String> environment;
  private final Sleeper sleeper;

  /** Reads keys and base URLs from the process environment. */
  public HostedProvider() {
    this(System::getenv);
  }

  /** Reads keys and base URLs through {@code environment} (for tests and embedding apps). */
  public HostedProvider(Function<String, String> environment) {
    this(environment, Sleeper.REAL);
  }

  HostedProvider(Function<String, String> environment, Sleeper sleeper) {
    this.environment = Objects.requireNonNull(environment, "environment");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  @Override
  public Set<String> schemes() {
    Set<String> schemes = new LinkedHashSet<>();
    Arrays.stream(HostedApi.values()).forEach(api -> schemes.add(api.scheme));
    return schemes;
  }

  /** Loads {@code "openai:text-embedding-3-small"} and the like. */
  public HostedEmbeddingModel load(String name, LoadOptions options) {
    Objects.requireNonNull(name, "name");
    int colon = name.indexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException(
          "hosted model name '"
              + name
              + "' needs a provider prefix: one of "
              + String.join(":, ", schemes())
              + ":");
    }
    return load(
        name.substring(0, colon).toLowerCase(Locale.ROOT), name.substring(colon + 1), options);
  }

  @Override
  public HostedEmbeddingModel load(String scheme, String model, LoadOptions options) {
    HostedApi api = HostedApi.forScheme(scheme);
    LoadOptions opts = options == null ? LoadOptions.defaults() : options;
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException(
          "model name missing after '" + scheme + ":' (for example " + example(api) + ")");
    }
    model = model.trim();
    String key = apiKey(api, opts, model);
    URI base = baseUrl(api, opts, model);
    ModelSpec spec = ModelSpec.known(api, model);
    Integer dimensions = opts.dimensions().orElse(null);
    if (dimensions != null && spec != null && !spec.allowsDimensions(dimensions)) {
      throw new IllegalArgumentException(
          api.scheme
              + ":"
              + model
              + (spec.dimensionsAllowed() != null && spec.dimensionsAllowed().isEmpty()
                  ? " does not support requested dimensions (got " + dimensions + ")"
                  : " does not support "
                      + dimensions
                      + " dimensions; allowed: "
                      + (spec.dimensionsAllowed() == null
                          ? "1 to " + spec.dimension()
                          : spec.dimensionsAllowed().stream().sorted().toList())));
    }
    Duration timeout = opts.timeout().orElse(DEFAULT_TIMEOUT);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    HostedSettings settings = HostedSettings.from(opts.properties());
    String revision = isDefault(api, base) ? "" : hostAndPort(base);
    return new HostedEmbeddingModel(
        new HostedConfig(
            api,
            model,
            endpoint(api, base),
            key,
            dimensions,
            timeout,
            settings,
            spec,
            revision,
            sleeper));
  }

  private String apiKey(HostedApi api, LoadOptions opts, String model) {
    String key = opts.apiKey().filter(k -> !k.isBlank()).orElse(null);
    if (key == null) {
      for (String variable : api.keyVariables) {
        String value = environment.apply(variable);
        if (value != null && !value.isBlank()) {
          key = value;
          break;
        }
      }
    }
    if (key == null) {
      if (api.keyRequired) {
        throw new JembedException(
            api.scheme
                + ":"
                + model
                + " needs a "
                + api.displayName
                + " API key: set "
                + String.join(" or ", api.keyVariables)
                + ", or pass one with --api-key (LoadOptions.apiKey)");
      }
      return null;
    }
    key = key.strip();
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= ' ' || c == 127) {
        throw new IllegalArgumentException(
            "the " + api.displayName + " API key contains whitespace or control characters");
      }
    }
    return key;
  }

  private URI baseUrl(HostedApi api, LoadOptions opts, String model) {
    String raw = opts.baseUrl().filter(u -> !u.isBlank()).orElse(null);
    String source = "base URL";
    if (raw == null && api == HostedApi.OPENAI) {
      raw = blankToNull(environment.apply("OPENAI_BASE_URL"));
      source = "OPENAI_BASE_URL";
    }
    if (raw == null && api == HostedApi.OLLAMA) {
      raw = ollamaHost(blankToNull(environment.apply("OLLAMA_HOST")));
      source = "OLLAMA_HOST";
    }
    if (raw == null) {
      raw = api.defaultBaseUrl;
      source = "base URL";
    }
    if (raw == null) {
      throw new IllegalArgumentException(
          api.scheme
              + ":"
              + model
              + " needs a base URL: pass --base-url (LoadOptions.baseUrl), for example"
              + " http://localhost:8080");
    }
    raw = raw.strip();
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(source + " '" + raw + "' is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          source + " '" + raw + "' is not an http(s) URL with a host, like http://localhost:8080");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          source + " must not carry user info, a query or a fragment: '" + uri.getHost() + "...'");
    }
    return uri;
  }

  /** OLLAMA_HOST may be "host", "host:port" or a URL, as the Ollama CLI accepts. */
  private static String ollamaHost(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (!v.contains("://")) {
      v = "http://" + v;
    }
    URI uri = URI.create(v);
    String host =
        uri.getHost() == null || uri.getHost().equals("0.0.0.0") ? "127.0.0.1" : uri.getHost();
    int port = uri.getPort() == -1 ? 11434 : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return uri.getScheme() + "://" + host + ":" + port + path;
  }

  /**
   * A base URL without a path gets the provider's version prefix ("http://host:8080" -&gt;
   * ".../v1/embeddings"); one with a path is used as is, as OpenAI's SDKs do
   * ("https://gw/openai/v1" -&gt; ".../openai/v1/embeddings").
   */
  static URI endpoint(HostedApi api, URI base) {
    String s = base.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    return URI.create(s + (path.isEmpty() ? api.defaultPathPrefix : "") + "/" + api.endpointLeaf);
  }

  private static boolean isDefault(HostedApi api, URI base) {
    if (api.defaultBaseUrl == null) {
      return false;
    }
    return endpoint(api, URI.create(api.defaultBaseUrl)).equals(endpoint(api, base));
  }

  private static String hostAndPort(URI base) {
    return base.getHost() + (base.getPort() == -1 ? "" : ":" + base.getPort());
  }

  private static String example(HostedApi api) {
    return switch (api) {
      case OPENAI -> "openai:text-embedding-3-small";
      case VOYAGE -> "voyage:voyage-3.5";
      case COHERE -> "cohere:embed-v4.0";
      case OLLAMA -> "ollama:nomic-embed-text";
      case OPENAI_COMPATIBLE -> "openai-compatible:BAAI/bge-small-en-v1.5";
    };
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
