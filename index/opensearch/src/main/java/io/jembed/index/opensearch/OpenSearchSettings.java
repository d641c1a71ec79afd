package io.jembed.index.opensearch;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How jembed talks to OpenSearch: credentials, TLS, timeouts and retries. {@link #fromEnvironment}
 * reads what a user sets: {@code OPENSEARCH_USERNAME} and {@code OPENSEARCH_PASSWORD} (basic
 * authentication), {@code JEMBED_OPENSEARCH_TIMEOUT} (seconds a request may take, default 60).
 *
 * @param username the user for basic authentication, or null for none
 * @param password the password (never printed, not even by {@link #toString()})
 * @param sslContext the TLS context for {@code opensearch+https://} locations; null: the JVM's
 *     default (its trust store: {@code -Djavax.net.ssl.trustStore=...} for a private CA)
 * @param connectTimeout how long connecting may take
 * @param requestTimeout how long a request may wait for its answer
 * @param retries how often a bulk write or refresh is tried again after a transient failure (a node
 *     that does not answer, 429 Too Many Requests, a rejected bulk item)
 * @param backoff the first wait before a retry; each further retry waits twice as long
 * @param bulkBytes about how many bytes one bulk request carries
 */
public record OpenSearchSettings(
    String username,
    String password,
    SSLContext sslContext,
    Duration connectTimeout,
    Duration requestTimeout,
    int retries,
    Duration backoff,
    int bulkBytes) {

  static final String USERNAME = "OPENSEARCH_USERNAME";
  static final String PASSWORD = "OPENSEARCH_PASSWORD";
  static final String TIMEOUT = "JEMBED_OPENSEARCH_TIMEOUT";

  public OpenSearchSettings {
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException(
          "OpenSearch credentials need both "
              + USERNAME
              + " and "
              + PASSWORD
              + " (only "
              + (username == null ? PASSWORD : USERNAME)
              + " is set)");
    }
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(backoff, "backoff");
    if (retries < 0) {
      throw new IllegalArgumentException("retries must not be negative, got " + retries);
    }
    if (bulkBytes < 1024) {
      throw new IllegalArgumentException("a bulk request needs at least 1 KiB, got " + bulkBytes);
    }
  }

  /** The defaults with what the environment sets (credentials, timeout). */
  public static OpenSearchSettings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static OpenSearchSettings fromEnvironment(Map<String, String> env) {
    Duration timeout = Duration.ofSeconds(60);
    String t = blankToNull(env.get(TIMEOUT));
    if (t != null) {
      try {
        double seconds = Double.parseDouble(t);
        if (!(seconds > 0)) {
          throw new NumberFormatException();
        }
        timeout = Duration.ofMillis((long) (seconds * 1000));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            TIMEOUT + " must be a positive number of seconds, got '" + t + "'");
      }
    }
    return new OpenSearchSettings(
        blankToNull(env.get(USERNAME)),
        blankToNull(env.get(PASSWORD)),
        null,
        Duration.ofSeconds(10),
        timeout,
        5,
        Duration.ofMillis(500),
        8 << 20);
  }

  /** These settings with other timeouts. */
  public OpenSearchSettings withTimeouts(Duration connect, Duration request) {
    return new OpenSearchSettings(
        username, password, sslContext, connect, request, retries, backoff, bulkBytes);
  }

  /** These settings with another retry policy. */
  public OpenSearchSettings withRetries(int count, Duration firstBackoff) {
    return new OpenSearchSettings(
        username,
        password,
        sslContext,
        connectTimeout,
        requestTimeout,
        count,
        firstBackoff,
        bulkBytes);
  }

  /** These settings with another bulk request size. */
  public OpenSearchSettings withBulkBytes(int bytes) {
    return new OpenSearchSettings(
        username, password, sslContext, connectTimeout, requestTimeout, retries, backoff, bytes);
  }

  /** These settings with credentials and a TLS context. */
  public OpenSearchSettings withCredentials(String user, String secret, SSLContext tls) {
    return new OpenSearchSettings(
        user, secret, tls, connectTimeout, requestTimeout, retries, backoff, bulkBytes);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    return "OpenSearchSettings[user="
        + (username == null ? "none" : username)
        + ", password="
        + (password == null ? "none" : "***")
        + ", connectTimeout="
        + connectTimeout
        + ", requestTimeout="
        + requestTimeout
        + ", retries="
        + retries
        + ", backoff="
        + backoff
        + ", bulkBytes="
        + bulkBytes
        + "]";
  }
}
