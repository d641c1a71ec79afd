package io.jembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.JembedException;
import io.jembed.index.Document;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The documents {@code jembed index add} reads: JSON Lines ({"id", "text", "metadata": {...},
 * "vector": [...]}), a folder (every .txt and .md file under it, its relative path the id), or a
 * text file (one document, or one per line).
 */
final class IndexInputs {
  private final boolean lines;
  private final List<String> dateFields;

  IndexInputs(boolean lines, List<String> dateFields) {
    this.lines = lines;
    this.dateFields = dateFields;
  }

  void read(Path input, List<Document> docs) {
    if (!Files.exists(input)) {
      throw new UsageException("no such file or folder: " + input);
    }
    try {
      if (Files.isDirectory(input)) {
        try (Stream<Path> walk = Files.walk(input)) {
          for (Path f :
              walk.filter(Files::isRegularFile)
                  .filter(
                      p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return n.endsWith(".txt") || n.endsWith(".md");
                      })
                  .sorted()
                  .toList()) {
            String id = input.relativize(f).toString().replace('\\', '/');
            docs.add(
                Document.builder(id)
                    .text(Files.readString(f, StandardCharsets.UTF_8))
                    .metadata("path", id)
                    .metadata("modified", Files.getLastModifiedTime(f).toInstant())
                    .build());
          }
        }
        return;
      }
      String name = input.getFileName().toString();
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
        readJsonl(input, docs);
      } else if (lines) {
        List<String> all = Files.readAllLines(input, StandardCharsets.UTF_8);
        for (int i = 0; i < all.size(); i++) {
          if (!all.get(i).isBlank()) {
            docs.add(Document.of(name + ":" + (i + 1), all.get(i)));
          }
        }
      } else {
        docs.add(Document.of(name, Files.readString(input, StandardCharsets.UTF_8)));
      }
    } catch (java.nio.charset.MalformedInputException e) {
      throw new JembedException(input + " is not UTF-8 text");
    } catch (IOException e) {
      throw new JembedException("cannot read " + input + ": " + e.getMessage(), e);
    }
  }

  private void readJsonl(Path input, List<Document> docs) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        String where = input + " line " + n;
        JsonNode o;
        try {
          o = Json.MAPPER.readTree(line);
        } catch (IOException e) {
          throw new JembedException(where + " is not valid JSON");
        }
        if (o == null || !o.isObject()) {
          throw new JembedException(where + " is not a JSON object");
        }
        JsonNode id = o.get("id");
        JsonNode text = o.get("text");
        if (id == null || id.isNull() || id.asText().isBlank()) {
          throw new JembedException(where + " has no \"id\"");
        }
        if ((text == null || !text.isTextual()) && !o.has("vector")) {
          throw new JembedException(where + " has no \"text\" string");
        }
        try {
          Document.Builder b =
              Document.builder(id.asText()).text(text == null ? "" : text.asText());
          JsonNode meta = o.get("metadata");
          if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) {
              throw new JembedException(where + ": \"metadata\" must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
              Map.Entry<String, JsonNode> e = it.next();
              b.metadata(e.getKey(), metadataValue(e.getKey(), e.getValue(), where));
            }
          }
          JsonNode vector = o.get("vector");
          if (vector != null && !vector.isNull()) {
            if (!vector.isArray() || vector.isEmpty()) {
              throw new JembedException(where + ": \"vector\" must be an array of numbers");
            }
            float[] v = new float[vector.size()];
            for (int i = 0; i < v.length; i++) {
              if (!vector.get(i).isNumber()) {
                throw new JembedException(where + ": \"vector\" must be an array of numbers");
              }
              v[i] = (float) vector.get(i).asDouble();
            }
            b.vector(v);
          }
          docs.add(b.build());
        } catch (IllegalArgumentException e) {
          throw new JembedException(where + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private Object metadataValue(String field, JsonNode v, String where) {
    if (v.isNumber()) {
      return v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble();
    }
    if (v.isTextual()) {
      if (dateFields.contains(field)) {
        String s = v.asText().trim();
        try {
          return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
          try {
            return Instant.parse(s);
          } catch (DateTimeParseException e2) {
            throw new JembedException(
                where + ": metadata '" + field + "' is not an ISO date: " + s);
          }
        }
      }
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.asText();
    }
    if (v.isArray()) {
      List<String> values = new ArrayList<>();
      v.forEach(x -> values.add(x.asText()));
      return values;
    }
    throw new JembedException(
        where + ": metadata '" + field + "' must be a string, number or list of strings");
  }
}
