package io.jembed.index.opensearch;

import io.jembed.JembedException;
import io.jembed.index.StoreLocation;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.ErrorCause;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.client.transport.httpclient5.ResponseException;

/**
 * One client for one location: the official Java client over Apache HttpClient 5, with every
 * failure turned into an error that names the store and its address ({@code
 * opensearch://host:port/index}), and retries with backoff where a write may safely be sent again.
 * Credentials are sent, never printed.
 */
final class OpenSearchConnection implements AutoCloseable {
  /** A request to the node. */
  interface Call<T> {
    T run(OpenSearchClient client) throws IOException;
  }

  private final StoreLocation.OpenSearch location;
  private final OpenSearchSettings settings;
  private final ApacheHttpClient5Transport transport;
  private final OpenSearchClient client;

  OpenSearchConnection(StoreLocation.OpenSearch location, OpenSearchSettings settings) {
    this.location = location;
    this.settings = settings;
    HttpHost host =
        new HttpHost(location.tls() ? "https" : "http", location.host(), location.port());
    ConnectionConfig connection =
        ConnectionConfig.custom()
            .setConnectTimeout(Timeout.of(settings.connectTimeout()))
            .setSocketTimeout(Timeout.of(settings.requestTimeout()))
            .build();
    ApacheHttpClient5TransportBuilder builder =
        ApacheHttpClient5TransportBuilder.builder(host)
            .setMapper(new JacksonJsonpMapper(OpenSearchSchema.JSON))
            .setAutomaticRetriesDisabled(true) // jembed retries what is safe to retry, and says so
            .setRequestConfigCallback(
                rc ->
                    rc.setResponseTimeout(Timeout.of(settings.requestTimeout()))
                        .setConnectionRequestTimeout(Timeout.of(settings.requestTimeout())))
            .setHttpClientConfigCallback(
                hc -> {
                  PoolingAsyncClientConnectionManagerBuilder manager =
                      PoolingAsyncClientConnectionManagerBuilder.create()
                          .setDefaultConnectionConfig(connection);
                  if (location.tls()) {
                    ClientTlsStrategyBuilder tls = ClientTlsStrategyBuilder.create();
                    if (settings.sslContext() != null) {
                      tls.setSslContext(settings.sslContext());
                    } else {
                      tls.useSystemProperties();
                    }
                    manager.setTlsStrategy(tls.buildAsync());
                  }
                  return hc.setConnectionManager(manager.build());
                });
    if (settings.username() != null) {
      // sent with every request (preemptive basic authentication): no extra round trip per 401
      String token =
          Base64.getEncoder()
              .encodeToString(
                  (settings.username() + ":" + settings.password())
                      .getBytes(StandardCharsets.UTF_8));
      builder.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", "Basic " + token)});
    }
    this.transport = builder.build();
    this.client = new OpenSearchClient(transport);
  }

  StoreLocation.OpenSearch location() {
    return location;
  }

  OpenSearchSettings settings() {
    return settings;
  }

  /** A request that is sent once: a failure is reported at once. */
  <T> T read(String action, Call<T> call) {
    try {
      return call.run(client);
    } catch (IOException | OpenSearchException e) {
      throw failure(action, e, 1);
    }
  }

  /**
   * A request that may be sent again (an idempotent write: documents are indexed by id): transient
   * failures (a node that is unreachable, restarting or overloaded) are retried with exponential
   * backoff; a timeout is not (the node is slow, not gone: sending more does not help).
   */
  <T> T retrying(String action, Call<T> call) {
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        return call.run(client);
      } catch (IOException | OpenSearchException e) {
        if (attempt > settings.retries() || !isTransient(e)) {
          throw failure(action, e, attempt);
        }
        pause(backoff(attempt));
      }
    }
  }

  /** The wait before retry number {@code attempt} (1, 2, ...): doubling, at most 30 s. */
  Duration backoff(int attempt) {
    long millis = settings.backoff().toMillis() << Math.min(attempt - 1, 16);
    return Duration.ofMillis(Math.min(millis, 30_000));
  }

  static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JembedException("interrupted while waiting to retry an OpenSearch request", e);
    }
  }

  /** Whether sending the same request again may succeed. */
  static boolean isTransient(Exception e) {
    if (e instanceof OpenSearchException o) {
      return retryableStatus(o.status());
    }
    if (timedOut(e)) {
      return false;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseException r) {
        return retryableStatus(r.status());
      }
      if (t instanceof ConnectException
          || t instanceof ConnectionClosedException
          || t instanceof NoHttpResponseException
          || t instanceof SocketException) {
        return true;
      }
    }
    return false;
  }

  /** 429 Too Many Requests, and the gateway answers of a node that is restarting. */
  static boolean retryableStatus(int status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException
          || t instanceof java.util.concurrent.TimeoutException
          || (t instanceof InterruptedIOException && !(t instanceof ConnectException))) {
        return true;
      }
    }
    return false;
  }

  /** The error for a failed request: what failed, where, and what to do. */
  JembedException failure(String action, Exception e, int attempts) {
    String where = "OpenSearch at " + location;
    String tries = attempts > 1 ? " (tried " + attempts + " times)" : "";
    if (e instanceof OpenSearchException o) {
      return new JembedException(refusal(where, action, o.status(), o.error()) + tries, e);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseException r) {
        int status = r.status();
        return new JembedException(refusal(where, action, status, null) + tries, e);
      }
    }
    if (timedOut(e) && !connectFailure(e)) {
      return new JembedException(
          where
              + " did not answer "
              + action
              + " within "
              + seconds(settings.requestTimeout())
              + ": the node is overloaded or stuck (set "
              + OpenSearchSettings.TIMEOUT
              + " to wait longer)"
              + tries,
          e);
    }
    if (connectFailure(e)) {
      return new JembedException(
          where
              + " is unreachable ("
              + reason(e)
              + ") during "
              + action
              + tries
              + ": is the node running, and is "
              + location.host()
              + ":"
              + location.port()
              + " its HTTP address?",
          e);
    }
    return new JembedException(
        where + " failed during " + action + " (" + reason(e) + ")" + tries, e);
  }

  private static boolean connectFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t.getClass().getSimpleName().equals("ConnectTimeoutException")) {
        return true;
      }
    }
    return false;
  }

  private static String refusal(String where, String action, int status, ErrorCause error) {
    if (status == 401 || status == 403) {
      return where
          + " refused "
          + action
          + " (HTTP "
          + status
          + (status == 401 ? " unauthorized" : " forbidden")
          + "): set "
          + OpenSearchSettings.USERNAME
          + " and "
          + OpenSearchSettings.PASSWORD
          + " to a user that may use the index";
    }
    String detail = error == null ? "" : ": " + describe(error);
    return where + " refused " + action + " (HTTP " + status + detail + ")";
  }

  /** An OpenSearch error as one line: its type and reason, and its root cause's if different. */
  static String describe(ErrorCause error) {
    StringBuilder b = new StringBuilder();
    b.append(error.type());
    if (error.reason() != null) {
      b.append(": ").append(error.reason());
    }
    ErrorCause cause = error.causedBy();
    if (cause != null && cause.reason() != null && !cause.reason().equals(error.reason())) {
      b.append(" (").append(cause.type()).append(": ").append(cause.reason()).append(')');
    }
    return b.toString();
  }

  /** The innermost message that says something, without the password (never in it anyway). */
  private static String reason(Throwable e) {
    String reason = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && !m.isBlank()) {
        reason = t instanceof ConnectException ? "connection refused" : m;
      }
      if (t instanceof ConnectException) {
        break;
      }
    }
    return reason == null ? e.getClass().getSimpleName() : reason;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException e) {
      // nothing is pending: the store is closing
    }
  }
}
