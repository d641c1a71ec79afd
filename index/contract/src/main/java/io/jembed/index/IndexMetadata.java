package io.jembed.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.toolkit.io.ModelInfoJson;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an index is, in every store: its model (identity and the name that loads it), quantization,
 * graph and chunking settings, and the type of each metadata field. Each store keeps it as JSON
 * ({@link #toJson()}) exactly as durably as its documents: the Lucene store in each commit, a
 * database in the same transaction as the rows.
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
  /** The version of this record's JSON that this jembed writes and reads. */
  public static final int FORMAT = 1;

  static final ObjectMapper MAPPER = new ObjectMapper();

  public IndexMetadata {
    fields = Collections.unmodifiableMap(new TreeMap<>(fields));
  }

  /** A new, empty index's record for {@code model} built with {@code options}. */
  public static IndexMetadata of(ModelInfo model, IndexOptions options) {
    int maxTokens =
        options.maxTokens() != null ? options.maxTokens() : Math.max(2, model.maxSeqLength());
    return new IndexMetadata(
        FORMAT,
        options.modelName() != null ? options.modelName() : loadName(model),
        model,
        options.quantization(),
        options.hnswM(),
        options.beamWidth(),
        maxTokens,
        options.overlapTokens(),
        Map.of());
  }

  /** The name that loads the model again with {@link EmbeddingModel#load(String)}. */
  public static String loadName(ModelInfo info) {
    return "local".equals(info.provider()) ? info.id() : info.provider() + ":" + info.id();
  }

  /** The options that build an index like this one (for another model: its own chunk budget). */
  public IndexOptions.Builder toOptions() {
    return IndexOptions.builder()
        .quantization(quantization)
        .hnswM(hnswM)
        .beamWidth(beamWidth)
        .overlapTokens(overlapTokens)
        .maxTokens(maxTokens == model.maxSeqLength() ? null : (Integer) maxTokens)
        .modelName(modelName);
  }

  public IndexMetadata withFields(Map<String, FieldType> newFields) {
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

  /** The record as JSON, for a store to keep beside its documents. */
  public String toJson() {
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
    fields.forEach((k, v) -> f.put(k, v.externalName()));
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new JembedException("cannot write index metadata: " + e.getMessage(), e);
    }
  }

  /**
   * Reads {@link #toJson()} back; {@code where} names the index in the errors ("index at
   * my-index").
   */
  public static IndexMetadata fromJson(String json, String where) {
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
        fields.put(e.getKey(), FieldType.parse(e.getValue().asText()));
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

  /**
   * Refuses to let {@code given} read or write an index built with another model: vectors of two
   * models are not comparable. Every store says it in the same words.
   */
  public void requireModel(StoreLocation location, ModelInfo given) {
    if (!model.identity().equals(given.identity())) {
      throw new JembedException(
          "index at "
              + location
              + " was built with model "
              + model.id()
              + " ["
              + model.identity()
              + "], not "
              + given.id()
              + " ["
              + given.identity()
              + "]: vectors of different models are not comparable. Use the index's model, or"
              + " re-embed everything with `jembed index reindex "
              + location
              + " --model "
              + given.id()
              + "`");
    }
  }
}
