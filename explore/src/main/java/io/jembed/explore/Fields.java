package io.jembed.explore;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.server.ApiException;
import java.util.Locale;

/** Optional fields of a JSON request, read with 422s that name what is wrong. */
final class Fields {
  private Fields() {}

  static String optionalString(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.invalid(field + " must be a string, got " + kind(n));
    }
    return n.asText();
  }

  static String requiredText(JsonNode body, String field) {
    String s = optionalString(body, field);
    if (s == null || s.isBlank()) {
      throw ApiException.invalid(field + " must be a non-empty string");
    }
    return s;
  }

  static int optionalInt(JsonNode body, String field, int fallback, int min, int max) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
      throw ApiException.invalid(
          field + " must be an integer in " + min + ".." + max + ", got " + n);
    }
    return n.asInt();
  }

  static double optionalDouble(
      JsonNode body, String field, double fallback, double min, double max) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isNumber() || n.asDouble() < min || n.asDouble() > max) {
      throw ApiException.invalid(field + " must be a number in " + min + ".." + max + ", got " + n);
    }
    return n.asDouble();
  }

  static boolean optionalBoolean(JsonNode body, String field, boolean fallback) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    if (!n.isBoolean()) {
      throw ApiException.invalid(field + " must be true or false, got " + kind(n));
    }
    return n.asBoolean();
  }

  /** A query parameter as an int in a range, or the fallback when absent. */
  static int queryInt(String value, String name, int fallback, int min, int max) {
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      int v = Integer.parseInt(value);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ApiException.invalid(
        name + " must be an integer in " + min + ".." + max + ", got " + value);
  }

  static String kind(JsonNode node) {
    return node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
