package io.jembed.engine;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * tokenizer.json's top-level settings, read as a stream so that the "model" object and its
 * vocabulary (30,000 entries for BERT) never become a JSON tree.
 */
final class TokenizerJson {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Reads the "model" object, the parser on its first token. */
  @FunctionalInterface
  interface ModelReader {
    void read(JsonParser parser) throws IOException;
  }

  private TokenizerJson() {}

  /**
   * The top-level fields other than "model", which goes to {@code model} (null: skipped); null when
   * the file is not a JSON object.
   */
  static ObjectNode read(Path tokenizerJson, ModelReader model) throws IOException {
    ObjectNode fields = JSON.createObjectNode();
    try (JsonParser parser = JSON.getFactory().createParser(tokenizerJson.toFile())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if (!field.equals("model")) {
          fields.set(field, JSON.readTree(parser));
        } else if (model != null) {
          model.read(parser);
        } else {
          parser.skipChildren();
        }
      }
    }
    return fields;
  }
}
