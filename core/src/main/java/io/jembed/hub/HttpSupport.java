package io.jembed.hub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** HTTP plumbing shared by the downloaders: redirects followed by hand, credentials kept home. */
final class HttpSupport {
  static final int MAX_REDIRECTS = 10;
  static final String USER_AGENT = "jembed/0.1 (java.net.http)";

  /** Headers that carry credentials: never sent to another origin than the one first asked. */
  private static final Set<String> SENSITIVE =
      Set.of("authorization", "cookie", "proxy-authorization");

  private HttpSupport() {}

  static HttpClient newClient(Duration connectTimeout) {
    // redirects are followed by hand (send below) so that a CDN never receives the Hub token
    return HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * Sends a body-less request. Redirects are followed when {@code followRedirects} says so for the
   * target; credentials are dropped as soon as the origin changes.
   *
   * @param followRedirects decides, given the current and the next URI, whether to follow
   */
  static <T> HttpResponse<T> send(
      HttpClient client,
      String method,
      URI uri,
      Map<String, String> headers,
      Duration timeout,
      BodyHandler<T> handler,
      RedirectPolicy followRedirects)
      throws IOException, InterruptedException {
    URI origin = uri;
    URI current = uri;
    Map<String, String> sent = new LinkedHashMap<>(headers);
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(current)
              .method(method, HttpRequest.BodyPublishers.noBody())
              .timeout(timeout)
              .header("User-Agent", USER_AGENT);
      sent.forEach(request::header);
      HttpResponse<T> response =
          client.send(
              request.build(),
              info ->
                  isRedirect(info.statusCode())
                      ? BodySubscribers.replacing(null)
                      : handler.apply(info));
      int status = response.statusCode();
      if (!isRedirect(status)) {
        return response;
      }
      String location = response.headers().firstValue("location").orElse(null);
      if (location == null) {
        return response;
      }
      URI next = current.resolve(location);
      if (!followRedirects.follow(current, next)) {
        return response;
      }
      if (hop >= MAX_REDIRECTS) {
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + uri);
      }
      if (!sameOrigin(origin, next)) {
        sent.keySet().removeIf(name -> SENSITIVE.contains(name.toLowerCase(Locale.ROOT)));
      }
      current = next;
    }
  }

  static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
        && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 416 -> "Range Not Satisfiable";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
  }

  static String status(int status) {
    String reason = reason(status);
    return "HTTP " + status + (reason.isEmpty() ? "" : " (" + reason + ")");
  }

  /** Says whether to follow a redirect from one URI to the next. */
  @FunctionalInterface
  interface RedirectPolicy {
    RedirectPolicy ALWAYS = (from, to) -> true;

    /** Renamed repositories answer with relative redirects; LFS files redirect to a CDN. */
    RedirectPolicy SAME_ORIGIN = HttpSupport::sameOrigin;

    boolean follow(URI from, URI to);
  }
}
