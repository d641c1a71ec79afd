package io.jembed.toolkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.JembedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Texts read from a file: one document per line (blank lines skipped; the id is the line number),
 * or JSON Lines with "text" and an optional "id" (files ending in .jsonl/.ndjson, or whose first
 * line is a JSON object). Binary files, invalid UTF-8 and empty files are refused with a message
 * naming the file.
 *
 * @param source the file read
 * @param documents the documents in file order
 * @param contentHash SHA-256 of the file's bytes (hex): the cache key for its embeddings
 */
public record Corpus(Path source, List<Document> documents, String contentHash) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Corpus {
    documents = List.copyOf(documents);
  }

  public int size() {
    return documents.size();
  }

  public List<String> texts() {
    List<String> out = new ArrayList<>(documents.size());
    for (Document d : documents) {
      out.add(d.text());
    }
    return out;
  }

  /** Reads and checks a corpus file. */
  public static Corpus read(Path file) {
    byte[] bytes = readBytes(file);
    List<Document> docs = parse(file, decode(file, bytes));
    if (docs.isEmpty()) {
      throw new JembedException(file + " is empty: no text to read (one document per line)");
    }
    return new Corpus(file, docs, sha256(bytes));
  }

  /**
   * Reads a whole text file as one string (a byte order mark dropped), refusing missing, binary,
   * non-UTF-8 and empty files with a message naming the file.
   */
  public static String readText(Path file) {
    String text = decode(file, readBytes(file));
    if (text.isBlank()) {
      throw new JembedException(file + " is empty: no text to read");
    }
    return text;
  }

  private static byte[] readBytes(Path file) {
    if (Files.isDirectory(file)) {
      throw new JembedException(file + " is a directory, expected a text file");
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new JembedException("no such file: " + file);
    } catch (IOException e) {
      throw new JembedException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
    }
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        throw new JembedException(
            file + " looks like a binary file (a NUL byte at offset " + i + "), expected text");
      }
    }
    return bytes;
  }

  private static String decode(Path file, byte[] bytes) {
    String content;
    try {
      content =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new JembedException(file + " is not UTF-8 text");
    }
    return content.startsWith("\uFEFF") ? content.substring(1) : content;
  }

  private static List<Document> parse(Path file, String content) {
    String[] lines = content.split("\r?\n|\r", -1);
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    boolean jsonl = lower.endsWith(".jsonl") || lower.endsWith(".ndjson");
    if (!jsonl) {
      for (String line : lines) {
        if (!line.isBlank()) {
          jsonl = line.stripLeading().startsWith("{") && looksLikeDocument(line);
          break;
        }
      }
    }
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      String lineNumber = Integer.toString(i + 1);
      if (!jsonl) {
        docs.add(new Document(lineNumber, line));
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new JembedException(
            file + " line " + lineNumber + ": not valid JSON (" + e.getOriginalMessage() + ")");
      }
      if (node == null || !node.isObject()) {
        throw new JembedException(file + " line " + lineNumber + ": expected a JSON object");
      }
      JsonNode text = node.get("text");
      if (text == null || !text.isTextual()) {
        throw new JembedException(
            file + " line " + lineNumber + ": expected a string field \"text\"");
      }
      JsonNode id = node.get("id");
      String docId = id == null || id.isNull() ? lineNumber : id.asText();
      docs.add(new Document(docId, text.asText()));
    }
    return docs;
  }

  private static boolean looksLikeDocument(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      return node != null && node.isObject() && node.has("text");
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** A corpus made in memory (the hash covers the ids and texts). */
  public static Corpus of(List<Document> documents) {
    StringBuilder sb = new StringBuilder();
    for (Document d : documents) {
      sb.append(d.id()).append('\u0000').append(d.text()).append('\u0001');
    }
    return new Corpus(null, documents, sha256(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
