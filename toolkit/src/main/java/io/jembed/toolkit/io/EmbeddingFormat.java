package io.jembed.toolkit.io;

import io.jembed.JembedException;
import java.nio.file.Path;
import java.util.Locale;

/** File formats for embeddings: numpy's .npy, one JSON document, JSON Lines, or CSV. */
public enum EmbeddingFormat {
  /** A 2-D little-endian array numpy.load reads; the model is recorded in a sidecar file. */
  NPY("npy"),
  /** One document: {"model": {...}, "dimension": d, "embeddings": [[...], ...]}. */
  JSON("json"),
  /** One object per input and line: {"index": i, "text": ..., "embedding": [...]}. */
  JSONL("jsonl"),
  /** A header row, then one row per input: the text (optional), then the numbers. */
  CSV("csv");

  private final String extension;

  EmbeddingFormat(String extension) {
    this.extension = extension;
  }

  /** The file extension without the dot, which is also the format's name. */
  public String extension() {
    return extension;
  }

  /** Whether the model and precision go into a {@code <file>.json} sidecar (not into the file). */
  public boolean usesSidecar() {
    return this != JSON;
  }

  /** Parses npy, json, jsonl (or ndjson) and csv, case-insensitively. */
  public static EmbeddingFormat parse(String name) {
    if (name == null || name.isBlank()) {
      throw new JembedException(
          "embedding format must not be blank: expected json, jsonl, csv or npy");
    }
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "npy" -> NPY;
      case "json" -> JSON;
      case "jsonl", "ndjson" -> JSONL;
      case "csv" -> CSV;
      default ->
          throw new JembedException(
              "unknown embedding format '" + name + "': expected json, jsonl, csv or npy");
    };
  }

  /** The format a file name's extension names (emb.npy is NPY), or an error naming the file. */
  public static EmbeddingFormat fromPath(Path file) {
    EmbeddingFormat f = fromPathOrNull(file);
    if (f == null) {
      throw new JembedException(
          "cannot tell the embedding format of '"
              + file
              + "' from its extension: use .json, .jsonl, .csv or .npy (or name the format)");
    }
    return f;
  }

  /** The format named by a file's extension, or null when the extension is not one of ours. */
  public static EmbeddingFormat fromPathOrNull(Path file) {
    Path name = file == null ? null : file.getFileName();
    if (name == null) {
      return null;
    }
    String s = name.toString();
    int dot = s.lastIndexOf('.');
    if (dot < 0) {
      return null;
    }
    return switch (s.substring(dot + 1).toLowerCase(Locale.ROOT)) {
      case "npy" -> NPY;
      case "json" -> JSON;
      case "jsonl", "ndjson" -> JSONL;
      case "csv" -> CSV;
      default -> null;
    };
  }
}
