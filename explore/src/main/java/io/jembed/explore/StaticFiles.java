package io.jembed.explore;

import io.jembed.server.ApiException;
import io.jembed.server.ApiRequest;
import io.jembed.server.ApiResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;

/**
 * The page's files, served from the class path under {@code io/jembed/explore/web/}: {@code /} is
 * index.html, {@code /explore/PATH} any other file. Paths that climb ({@code ..}) or hide ({@code
 * .name}) are refused; a missing file is a JSON 404.
 */
final class StaticFiles {
  static final String ROOT = "io/jembed/explore/web/";

  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=utf-8"),
          Map.entry("js", "text/javascript; charset=utf-8"),
          Map.entry("mjs", "text/javascript; charset=utf-8"),
          Map.entry("css", "text/css; charset=utf-8"),
          Map.entry("json", "application/json"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("woff2", "font/woff2"),
          Map.entry("txt", "text/plain; charset=utf-8"),
          Map.entry("map", "application/json"));

  private StaticFiles() {}

  static ApiResponse index(ApiRequest request) {
    return file("index.html");
  }

  /** {@code /explore/PATH}. */
  static ApiResponse explore(ApiRequest request) {
    return file(request.path().substring("/explore/".length()));
  }

  static ApiResponse file(String path) {
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.startsWith(".") || part.contains("\\")) {
        throw new ApiException(400, "invalid_path", "not a file path: /explore/" + path);
      }
    }
    byte[] bytes;
    try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(ROOT + path)) {
      if (in == null) {
        throw ApiException.notFound("no file /explore/" + path);
      }
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int dot = path.lastIndexOf('.');
    String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
    return ApiResponse.bytes(200, TYPES.getOrDefault(ext, "application/octet-stream"), bytes)
        .withHeaders(Map.of("Cache-Control", "no-cache", "X-Content-Type-Options", "nosniff"));
  }
}
