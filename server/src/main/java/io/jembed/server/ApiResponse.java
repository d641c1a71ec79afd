package io.jembed.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An answer: status, content type, body and extra headers. */
public record ApiResponse(
    int status, String contentType, byte[] body, Map<String, String> headers) {
  static final ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          // trailing garbage after the JSON object is an error, not silently ignored
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  public ApiResponse {
    headers = Map.copyOf(headers);
  }

  /** A JSON answer: {@code value} written by Jackson. */
  public static ApiResponse json(int status, Object value) {
    try {
      return new ApiResponse(status, "application/json", JSON.writeValueAsBytes(value), Map.of());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ApiResponse text(int status, String contentType, String body) {
    return new ApiResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** OpenAI's error shape: {@code {"error": {"message", "type", "code"}}}, with its headers. */
  static ApiResponse error(ApiException e) {
    Map<String, Object> err = new LinkedHashMap<>();
    err.put("message", e.getMessage());
    err.put("type", e.kind());
    err.put("code", e.status());
    return json(e.status(), Map.of("error", err)).withHeaders(e.headers());
  }

  /** A binary answer ({@code application/octet-stream} or another type). */
  public static ApiResponse bytes(int status, String contentType, byte[] body) {
    return new ApiResponse(status, contentType, body, Map.of());
  }

  public ApiResponse withHeaders(Map<String, String> more) {
    if (more.isEmpty()) {
      return this;
    }
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.putAll(more);
    return new ApiResponse(status, contentType, body, all);
  }
}
