package io.jembed.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;

/** JSON output of the commands: pretty, one document, newline at the end. */
final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /**
   * Whether a --format value of a command that prints text or JSON asks for JSON.
   *
   * @throws UsageException for anything but text or json
   */
  static boolean requested(String format) {
    String f = format.trim().toLowerCase(java.util.Locale.ROOT);
    if (!f.equals("text") && !f.equals("json")) {
      throw new UsageException("unknown format '" + format + "': expected text or json");
    }
    return f.equals("json");
  }

  static void print(PrintWriter out, Object value) {
    try {
      out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }
}
