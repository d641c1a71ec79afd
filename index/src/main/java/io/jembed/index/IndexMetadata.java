package io.jembed.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.toolkit.io.ModelInfoJson;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an index is: its model (identity and the name that loads it), quantization, graph and
 * chunking settings, and the type of each metadata field. Kept as JSON in the commit's user data
 * (so it is exactly as durable as the documents) and in {@code jembed-index.json} for people.
 */
public record IndexMetadata(
    int format,
    String modelName,
    ModelInfo model,
    Quantization quantization,
    int hnswM,
    int beamWidth,
    int maxTokens,
    int overlapTokens,
    Map<String, FieldType> fields) {
  static final int FORMAT = 1;
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** How a metadata field is indexed. */
  public enum FieldType {
    KEYWORD,
    NUMBER,
    DATE
  }

  public IndexMetadata {
    fields = Collections.unmodifiableMap(new TreeMap<>(fields));
  }

  IndexMetadata withFields(Map<String, FieldType> newFields) {
    return new IndexMetadata(
        format,
        modelName,
        model,
        quantization,
        hnswM,
        beamWidth,
        maxTokens,
        overlapTokens,
        newFields);
  }

  String toJson() {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("format", format);
    o.put("kind", "jembed-index");
    o.put("modelName", modelName);
    o.set("model", ModelInfoJson.toJson(model));
    o.put("quantization", quantization.externalName());
    o.put("hnswM", hnswM);
    o.put("beamWidth", beamWidth);
    o.put("maxTokens", maxTokens);
    o.put("overlapTokens", overlapTokens);
    ObjectNode f = o.putObject("fields");
    fields.forEach((k, v) -> f.put(k, v.name().toLowerCase(java.util.Locale.ROOT)));
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new JembedException("cannot write index metadata: " + e.getMessage(), e);
    }
  }

  static IndexMetadata fromJson(String json, String where) {
    JsonNode o;
    try {
      o = MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new JembedException(where + " is not valid JSON: " + e.getMessage(), e);
    }
    if (o == null || !o.isObject() || !"jembed-index".equals(o.path("kind").asText())) {
      throw new JembedException(where + " does not describe a jembed index");
    }
    int format = o.path("format").asInt(-1);
    if (format != FORMAT) {
      throw new JembedException(
          where + " has index format " + format + "; this jembed reads format " + FORMAT);
    }
    try {
      ModelInfo model = ModelInfoJson.fromJson(o.get("model"), where);
      if (model == null) {
        throw new JembedException(where + " records no model");
      }
      Map<String, FieldType> fields = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.path("fields").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        fields.put(
            e.getKey(),
            FieldType.valueOf(e.getValue().asText().toUpperCase(java.util.Locale.ROOT)));
      }
      return new IndexMetadata(
          format,
          o.path("modelName").asText(model.id()),
          model,
          Quantization.parse(o.path("quantization").asText("none")),
          o.path("hnswM").asInt(16),
          o.path("beamWidth").asInt(100),
          o.path("maxTokens").asInt(model.maxSeqLength()),
          o.path("overlapTokens").asInt(0),
          fields);
    } catch (IllegalArgumentException e) {
      throw new JembedException(where + " is invalid: " + e.getMessage(), e);
    }
  }
}
