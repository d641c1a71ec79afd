package io.jembed.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metadata as a store keeps it beside a document: a JSON object of strings, lists of strings,
 * numbers (integers stay integers) and dates as ISO text (a day stays a day).
 */
public final class MetadataJson {
  private MetadataJson() {}

  /** The metadata (values in their kept form) as a JSON object; "" for none. */
  public static String write(Map<String, Object> metadata) {
    if (metadata.isEmpty()) {
      return "";
    }
    ObjectNode o = IndexMetadata.MAPPER.createObjectNode();
    metadata.forEach(
        (k, v) -> {
          switch (v) {
            case String str -> o.put(k, str);
            case List<?> list -> list.forEach(x -> o.withArray(k).add((String) x));
            case Long l -> o.put(k, l);
            case Integer i -> o.put(k, i);
            case Short sh -> o.put(k, sh);
            case Byte by -> o.put(k, by);
            case java.math.BigInteger b -> o.put(k, b);
            case Number n -> o.put(k, n.doubleValue());
            default -> o.put(k, MetadataValues.dateText(v));
          }
        });
    try {
      return IndexMetadata.MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The metadata as search hits show it: dates stay ISO text. */
  public static Map<String, Object> read(String json) {
    return read(json, Map.of());
  }

  /** The metadata with dates read back as dates ({@link MetadataValues#parseDate}). */
  public static Map<String, Object> read(String json, Map<String, FieldType> fields) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (json == null || json.isEmpty()) {
      return out;
    }
    JsonNode o;
    try {
      o = IndexMetadata.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("stored metadata is not JSON: " + e.getOriginalMessage());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = e.getKey();
      JsonNode v = e.getValue();
      if (v.isArray()) {
        List<String> values = new ArrayList<>();
        v.forEach(x -> values.add(x.asText()));
        out.put(field, List.copyOf(values));
      } else if (v.isIntegralNumber() && v.canConvertToLong()) {
        out.put(field, v.asLong());
      } else if (v.isNumber()) {
        // PostgreSQL's jsonb writes a large double without its exponent (-3.4e38 as 39 digits)
        out.put(field, v.asDouble());
      } else if (fields.get(field) == FieldType.DATE) {
        out.put(field, MetadataValues.parseDate(field, v.asText()));
      } else {
        out.put(field, v.asText());
      }
    }
    return out;
  }
}
