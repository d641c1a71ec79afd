package io.jembed.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and network settings of an {@link EmbeddingServer}. Immutable; build with {@link
 * #builder()}. The defaults follow text-embeddings-inference where it has one.
 */
public final class ServerOptions {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_MAX_BATCH_TOKENS = 16_384;
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 512;
  public static final int DEFAULT_MAX_CLIENT_BATCH_SIZE = 2048;
  public static final long DEFAULT_MAX_BODY_BYTES = 2_000_000;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_BATCH_WAIT = Duration.ofMillis(5);
  public static final int DEFAULT_MAX_QUEUE_TOKENS = 65_536;
  public static final Duration DEFAULT_MAX_QUEUE_WAIT = Duration.ofSeconds(1);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final long DEFAULT_MAX_BODY_BYTES_IN_FLIGHT = 64_000_000;
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

  private final String host;
  private final int port;
  private final String apiKey;
  private final int maxBatchTokens;
  private final int maxConcurrentRequests;
  private final int maxClientBatchSize;
  private final long maxBodyBytes;
  private final boolean truncate;
  private final Duration shutdownGrace;
  private final Duration maxBatchWait;
  private final int maxQueueTokens;
  private final Duration maxQueueWait;
  private final Duration requestTimeout;
  private final Duration readTimeout;
  private final Duration idleTimeout;
  private final long maxBodyBytesInFlight;
  private final int maxConnections;

  private ServerOptions(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.apiKey = b.apiKey;
    this.maxBatchTokens = b.maxBatchTokens;
    this.maxConcurrentRequests = b.maxConcurrentRequests;
    this.maxClientBatchSize = b.maxClientBatchSize;
    this.maxBodyBytes = b.maxBodyBytes;
    this.truncate = b.truncate;
    this.shutdownGrace = b.shutdownGrace;
    this.maxBatchWait = b.maxBatchWait;
    this.maxQueueTokens = b.maxQueueTokens;
    this.maxQueueWait = b.maxQueueWait;
    this.requestTimeout = b.requestTimeout;
    this.readTimeout = b.readTimeout;
    this.idleTimeout = b.idleTimeout;
    this.maxBodyBytesInFlight =
        b.maxBodyBytesInFlight > 0
            ? b.maxBodyBytesInFlight
            : Math.max(DEFAULT_MAX_BODY_BYTES_IN_FLIGHT, b.maxBodyBytes);
    this.maxConnections = b.maxConnections;
  }

  public static ServerOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.apiKey = apiKey;
    b.maxBatchTokens = maxBatchTokens;
    b.maxConcurrentRequests = maxConcurrentRequests;
    b.maxClientBatchSize = maxClientBatchSize;
    b.maxBodyBytes = maxBodyBytes;
    b.truncate = truncate;
    b.shutdownGrace = shutdownGrace;
    b.maxBatchWait = maxBatchWait;
    b.maxQueueTokens = maxQueueTokens;
    b.maxQueueWait = maxQueueWait;
    b.requestTimeout = requestTimeout;
    b.readTimeout = readTimeout;
    b.idleTimeout = idleTimeout;
    b.maxBodyBytesInFlight = maxBodyBytesInFlight;
    b.maxConnections = maxConnections;
    return b;
  }

  /** Address to bind; 127.0.0.1 unless asked otherwise. */
  public String host() {
    return host;
  }

  /** Port to bind; 0 picks a free one. */
  public int port() {
    return port;
  }

  /** Bearer token every request except GET /health must carry, or null for none. */
  String apiKey() {
    return apiKey;
  }

  public boolean requiresApiKey() {
    return apiKey != null;
  }

  /** Token budget of one model call: concurrent requests are merged up to this many tokens. */
  public int maxBatchTokens() {
    return maxBatchTokens;
  }

  /** Requests admitted at once (queued, encoding or searching); more get 429. */
  public int maxConcurrentRequests() {
    return maxConcurrentRequests;
  }

  /** Most inputs one request may send. */
  public int maxClientBatchSize() {
    return maxClientBatchSize;
  }

  /** Largest request body; larger ones get 413. */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /** Cut too-long inputs to the model's maximum (true) or reject them with 422 (false). */
  public boolean truncate() {
    return truncate;
  }

  /** How long shutdown waits for requests in flight. */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /**
   * Longest a batch waits for more inputs while fewer are queued than the previous batch held (its
   * clients coming back); keeps batches full under steady load. Zero: never wait.
   */
  public Duration maxBatchWait() {
    return maxBatchWait;
  }

  /**
   * Tokens queued for encoding across all requests of one model (text-embeddings-inference's {@code
   * max_batch_tokens} bounds one batch, this bounds the queue behind it). A request that does not
   * fit gets 429; one larger than the whole budget gets 422.
   */
  public int maxQueueTokens() {
    return maxQueueTokens;
  }

  /**
   * Longest a new request may expect to wait behind the work already queued, estimated from the
   * tokens ahead of it and the rate the model has been encoding at; beyond it the request gets 429
   * at once instead of joining a queue it would wait long in. Keeps admitted latency and the time
   * to drain the queue short under any overload.
   */
  public Duration maxQueueWait() {
    return maxQueueWait;
  }

  /**
   * Deadline of a request from the moment its body has arrived: work still queued then is dropped,
   * and the request gets 503 with Retry-After.
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * Longest a request's headers and body may take to arrive, counted from its first byte; a slower
   * client gets 408 and its connection is closed.
   */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** A keep-alive connection with no request in progress is closed after this long. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * Request bodies held at once across all connections, from their first byte until their answer is
   * sent; a request that would go over gets 503 with Retry-After. Bounds the memory requests can
   * take, whatever they hold.
   */
  public long maxBodyBytesInFlight() {
    return maxBodyBytesInFlight;
  }

  /** Open connections at most; more are closed as soon as they are accepted. */
  public int maxConnections() {
    return maxConnections;
  }

  @Override
  public String toString() {
    // the API key is never printed
    return "ServerOptions{host="
        + host
        + ", port="
        + port
        + ", apiKey="
        + (apiKey == null ? "none" : "***")
        + ", maxBatchTokens="
        + maxBatchTokens
        + ", maxConcurrentRequests="
        + maxConcurrentRequests
        + ", maxClientBatchSize="
        + maxClientBatchSize
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", truncate="
        + truncate
        + ", shutdownGrace="
        + shutdownGrace
        + ", maxBatchWait="
        + maxBatchWait
        + ", maxQueueTokens="
        + maxQueueTokens
        + ", maxQueueWait="
        + maxQueueWait
        + ", requestTimeout="
        + requestTimeout
        + ", readTimeout="
        + readTimeout
        + ", idleTimeout="
        + idleTimeout
        + ", maxBodyBytesInFlight="
        + maxBodyBytesInFlight
        + ", maxConnections="
        + maxConnections
        + "}";
  }

  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String apiKey;
    private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private int maxClientBatchSize = DEFAULT_MAX_CLIENT_BATCH_SIZE;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private boolean truncate = true;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Duration maxBatchWait = DEFAULT_MAX_BATCH_WAIT;
    private int maxQueueTokens = DEFAULT_MAX_QUEUE_TOKENS;
    private Duration maxQueueWait = DEFAULT_MAX_QUEUE_WAIT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private long maxBodyBytesInFlight; // 0: the default, or maxBodyBytes if that is larger
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;

    private Builder() {}

    public Builder host(String host) {
      Objects.requireNonNull(host, "host");
      if (host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** Bearer token to require; null or empty for none. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey;
      return this;
    }

    public Builder maxBatchTokens(int maxBatchTokens) {
      this.maxBatchTokens = positive("maxBatchTokens", maxBatchTokens);
      return this;
    }

    public Builder maxConcurrentRequests(int maxConcurrentRequests) {
      this.maxConcurrentRequests = positive("maxConcurrentRequests", maxConcurrentRequests);
      return this;
    }

    public Builder maxClientBatchSize(int maxClientBatchSize) {
      this.maxClientBatchSize = positive("maxClientBatchSize", maxClientBatchSize);
      return this;
    }

    public Builder maxBodyBytes(long maxBodyBytes) {
      if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(
            "maxBodyBytes must be in 1.." + (Integer.MAX_VALUE - 8) + ", got " + maxBodyBytes);
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    public Builder truncate(boolean truncate) {
      this.truncate = truncate;
      return this;
    }

    public Builder shutdownGrace(Duration shutdownGrace) {
      Objects.requireNonNull(shutdownGrace, "shutdownGrace");
      if (shutdownGrace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative");
      }
      this.shutdownGrace = shutdownGrace;
      return this;
    }

    public Builder maxBatchWait(Duration maxBatchWait) {
      Objects.requireNonNull(maxBatchWait, "maxBatchWait");
      if (maxBatchWait.isNegative() || maxBatchWait.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("maxBatchWait must be in 0..1 s, got " + maxBatchWait);
      }
      this.maxBatchWait = maxBatchWait;
      return this;
    }

    public Builder maxQueueTokens(int maxQueueTokens) {
      this.maxQueueTokens = positive("maxQueueTokens", maxQueueTokens);
      return this;
    }

    public Builder maxQueueWait(Duration maxQueueWait) {
      this.maxQueueWait = positive("maxQueueWait", maxQueueWait);
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive("requestTimeout", requestTimeout);
      return this;
    }

    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = positive("readTimeout", readTimeout);
      return this;
    }

    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = positive("idleTimeout", idleTimeout);
      return this;
    }

    public Builder maxBodyBytesInFlight(long maxBodyBytesInFlight) {
      if (maxBodyBytesInFlight < 1) {
        throw new IllegalArgumentException(
            "maxBodyBytesInFlight must be positive, got " + maxBodyBytesInFlight);
      }
      this.maxBodyBytesInFlight = maxBodyBytesInFlight;
      return this;
    }

    public Builder maxConnections(int maxConnections) {
      this.maxConnections = positive("maxConnections", maxConnections);
      return this;
    }

    public ServerOptions build() {
      if (maxBodyBytesInFlight > 0 && maxBodyBytesInFlight < maxBodyBytes) {
        throw new IllegalArgumentException(
            "maxBodyBytesInFlight ("
                + maxBodyBytesInFlight
                + ") must be at least maxBodyBytes ("
                + maxBodyBytes
                + ")");
      }
      return new ServerOptions(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
      return value;
    }

    private static int positive(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
      return value;
    }
  }
}
