package io.jembed.hosted;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.InputType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Request and response bodies of each provider, as their API references document them. */
final class Wire {
  static final ObjectMapper JSON = new ObjectMapper();

  private Wire() {}

  /** The vectors of one response, in input order, and the tokens it reports (0 if none). */
  record Parsed(float[][] vectors, long tokens) {}

  /** A response that does not have the documented shape. */
  static final class BadResponse extends Exception {
    private static final long serialVersionUID = 1L;

    BadResponse(String message) {
      super(message);
    }
  }

  static ObjectNode request(
      HostedApi api,
      String model,
      List<String> texts,
      InputType inputType,
      Integer dimensions,
      HostedSettings settings) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    ArrayNode input = body.putArray(api == HostedApi.COHERE ? "texts" : "input");
    texts.forEach(input::add);
    switch (api) {
      case OPENAI, OPENAI_COMPATIBLE -> {
        String format = settings.encodingFormat();
        if (format == null) {
          // base64 halves OpenAI's payload; other servers do not all implement it
          format = api == HostedApi.OPENAI ? "base64" : "float";
        }
        body.put("encoding_format", format);
        if (dimensions != null) {
          body.put("dimensions", dimensions);
        }
      }
      case VOYAGE -> {
        String type =
            switch (inputType) {
              case QUERY -> "query";
              case DOCUMENT -> "document";
              case NONE -> settings.inputType();
            };
        if (type != null) {
          body.put("input_type", type);
        }
        body.put(
            "truncation",
            !"false".equals(settings.truncation()) && !"none".equals(settings.truncation()));
        if (dimensions != null) {
          body.put("output_dimension", dimensions);
        }
        body.put("output_dtype", "float");
      }
      case COHERE -> {
        String type =
            switch (inputType) {
              case QUERY -> "search_query";
              case DOCUMENT -> "search_document";
              case NONE -> settings.inputType() == null ? "search_document" : settings.inputType();
            };
        body.put("input_type", type);
        body.putArray("embedding_types").add("float");
        String truncate = settings.truncation();
        body.put(
            "truncate",
            truncate == null || truncate.equals("true")
                ? "END"
                : truncate.equals("false") ? "NONE" : truncate.toUpperCase(Locale.ROOT));
        if (dimensions != null) {
          body.put("output_dimension", dimensions);
        }
      }
      case OLLAMA -> {
        body.put(
            "truncate",
            !"false".equals(settings.truncation()) && !"none".equals(settings.truncation()));
        if (dimensions != null) {
          body.put("dimensions", dimensions);
        }
      }
    }
    return body;
  }

  static Parsed parse(HostedApi api, JsonNode body) throws BadResponse {
    if (body == null || !body.isObject()) {
      throw new BadResponse("the response is not a JSON object");
    }
    return switch (api) {
      case OPENAI, OPENAI_COMPATIBLE, VOYAGE -> parseDataList(body);
      case COHERE -> {
        JsonNode embeddings = body.get("embeddings");
        JsonNode floats =
            embeddings != null && embeddings.isObject() ? embeddings.get("float") : embeddings;
        long tokens = body.at("/meta/billed_units/input_tokens").asLong(0);
        yield new Parsed(matrix(floats, "embeddings.float"), tokens);
      }
      case OLLAMA ->
          new Parsed(
              matrix(body.get("embeddings"), "embeddings"),
              body.path("prompt_eval_count").asLong(0));
    };
  }

  // OpenAI and Voyage: {"data": [{"index": i, "embedding": [...] or "base64"}], "usage": {...}}
  private static Parsed parseDataList(JsonNode body) throws BadResponse {
    JsonNode data = body.get("data");
    if (data == null || !data.isArray()) {
      throw new BadResponse("the response has no \"data\" array");
    }
    float[][] vectors = new float[data.size()][];
    for (int pos = 0; pos < data.size(); pos++) {
      JsonNode item = data.get(pos);
      int index = item.has("index") ? item.get("index").asInt(-1) : pos;
      if (index < 0 || index >= vectors.length) {
        throw new BadResponse(
            "data["
                + pos
                + "] has index "
                + item.get("index")
                + " outside 0.."
                + (vectors.length - 1));
      }
      if (vectors[index] != null) {
        throw new BadResponse("index " + index + " appears twice in the response");
      }
      vectors[index] = vector(item.get("embedding"), "data[" + pos + "].embedding");
    }
    JsonNode usage = body.path("usage");
    long tokens =
        usage.has("total_tokens")
            ? usage.get("total_tokens").asLong(0)
            : usage.path("prompt_tokens").asLong(0);
    return new Parsed(vectors, tokens);
  }

  private static float[][] matrix(JsonNode node, String what) throws BadResponse {
    if (node == null || !node.isArray()) {
      throw new BadResponse("the response has no \"" + what + "\" array");
    }
    float[][] vectors = new float[node.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = vector(node.get(i), what + "[" + i + "]");
    }
    return vectors;
  }

  private static float[] vector(JsonNode node, String what) throws BadResponse {
    if (node == null) {
      throw new BadResponse(what + " is missing");
    }
    if (node.isTextual()) {
      return decodeBase64(node.asText(), what);
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new BadResponse(what + " is not a non-empty array of numbers");
    }
    float[] v = new float[node.size()];
    for (int i = 0; i < v.length; i++) {
      JsonNode x = node.get(i);
      if (!x.isNumber()) {
        throw new BadResponse(what + "[" + i + "] is not a number");
      }
      v[i] = x.floatValue();
    }
    return v;
  }

  /** OpenAI's base64 embeddings: little-endian float32. */
  static float[] decodeBase64(String text, String what) throws BadResponse {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new BadResponse(what + " is not valid base64");
    }
    if (bytes.length == 0 || bytes.length % 4 != 0) {
      throw new BadResponse(what + " decodes to " + bytes.length + " bytes, not float32 values");
    }
    float[] v = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  /** The provider's own error text from an error body of any of the supported APIs, or null. */
  static String errorMessage(JsonNode body) {
    if (body == null) {
      return null;
    }
    JsonNode error = body.get("error");
    if (error != null && error.isObject() && error.path("message").isTextual()) {
      return error.get("message").asText(); // OpenAI, vLLM
    }
    if (error != null && error.isTextual()) {
      return error.asText(); // Ollama, text-embeddings-inference
    }
    if (body.path("message").isTextual()) {
      return body.get("message").asText(); // Cohere
    }
    JsonNode detail = body.get("detail");
    if (detail != null && detail.isTextual()) {
      return detail.asText(); // Voyage
    }
    if (detail != null && detail.isArray() && !detail.isEmpty()) {
      StringBuilder sb = new StringBuilder(); // FastAPI validation errors
      for (JsonNode d : detail) {
        if (!sb.isEmpty()) {
          sb.append("; ");
        }
        sb.append(d.path("msg").asText(d.toString()));
      }
      return sb.toString();
    }
    return null;
  }
}
