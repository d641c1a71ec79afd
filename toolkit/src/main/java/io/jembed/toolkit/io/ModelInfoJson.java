package io.jembed.toolkit.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.SimilarityFunction;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link ModelInfo} as JSON: the record's fields under their Java names plus {@code identity}, as
 * stored in embedding files and their sidecars (and usable for anything else that records a model).
 */
public final class ModelInfoJson {
  private ModelInfoJson() {}

  /** The model's fields, and its identity, as a JSON object. */
  public static ObjectNode toJson(ModelInfo model) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    putFields(o, model);
    return o;
  }

  /** Adds the model's fields (and identity) to an existing object. */
  public static void putFields(ObjectNode o, ModelInfo model) {
    o.put("provider", model.provider());
    o.put("id", model.id());
    o.put("revision", model.revision());
    o.put("dimension", model.dimension());
    o.put("maxSeqLength", model.maxSeqLength());
    o.put("normalized", model.normalized());
    o.put("similarity", model.similarity().externalName());
    ObjectNode prompts = o.putObject("prompts");
    model.prompts().forEach(prompts::put);
    if (model.defaultPromptName() == null) {
      o.putNull("defaultPromptName");
    } else {
      o.put("defaultPromptName", model.defaultPromptName());
    }
    o.put("identity", model.identity());
  }

  /**
   * Reads a model written by {@link #toJson}; null when the node is missing, null, or carries no
   * model ("id" absent).
   *
   * @param where names the file in error messages
   */
  public static ModelInfo fromJson(JsonNode o, String where) {
    if (o == null || o.isNull() || o.isMissingNode()) {
      return null;
    }
    if (!o.isObject()) {
      throw new JembedException(where + ": the recorded model is not a JSON object");
    }
    if (!o.hasNonNull("id")) {
      return null;
    }
    try {
      Map<String, String> prompts = new LinkedHashMap<>();
      JsonNode p = o.get("prompts");
      if (p != null && p.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          prompts.put(e.getKey(), e.getValue().asText());
        }
      }
      JsonNode dpn = o.get("defaultPromptName");
      return new ModelInfo(
          text(o, "provider", "local"),
          o.get("id").asText(),
          text(o, "revision", ""),
          required(o, "dimension", where).asInt(),
          o.path("maxSeqLength").asInt(0),
          o.path("normalized").asBoolean(false),
          SimilarityFunction.parse(text(o, "similarity", "cosine")),
          prompts,
          dpn == null || dpn.isNull() ? null : dpn.asText());
    } catch (IllegalArgumentException e) {
      throw new JembedException(where + ": the recorded model is invalid: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode o, String field, String fallback) {
    JsonNode n = o.get(field);
    return n == null || n.isNull() ? fallback : n.asText();
  }

  private static JsonNode required(JsonNode o, String field, String where) {
    JsonNode n = o.get(field);
    if (n == null || !n.isNumber()) {
      throw new JembedException(where + ": the recorded model has no numeric '" + field + "'");
    }
    return n;
  }
}
