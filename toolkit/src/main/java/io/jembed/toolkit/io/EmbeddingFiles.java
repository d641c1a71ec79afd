package io.jembed.toolkit.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jembed.Embeddings;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Reads and writes embedding files: .npy (numpy), .json, .jsonl and .csv.
 *
 * <p>Writing to a path is atomic (a temporary file in the same folder, then a move), so readers
 * never see a half-written file. The model that made the vectors is recorded inside .json files and
 * in a sidecar {@code <file>.json} next to .npy, .jsonl and .csv files, which also keeps the
 * precision and, for .npy, the texts. Reading checks shapes and reports what is wrong with a file.
 */
public final class EmbeddingFiles {
  static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build()
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
          .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
  static final ObjectMapper MAPPER = new ObjectMapper(JSON);
  private static final String SIDECAR_SUFFIX = ".json";

  private EmbeddingFiles() {}

  // ---------------------------------------------------------------- writing

  /**
   * Writes float vectors to {@code file}, atomically.
   *
   * @param format the format, or null to take it from the file's extension
   * @param model the model that made the vectors (with encode options applied), or null if unknown
   * @param texts the inputs, one per vector, or null to leave them out
   */
  public static void write(
      Path file, EmbeddingFormat format, ModelInfo model, float[][] vectors, List<String> texts) {
    writeFile(file, format, model, VectorRows.ofFloats(vectors, model), texts);
  }

  /** Writes float vectors to a stream (stdout); .json records the model, other formats do not. */
  public static void write(
      OutputStream out,
      EmbeddingFormat format,
      ModelInfo model,
      float[][] vectors,
      List<String> texts) {
    writeStream(out, format, model, VectorRows.ofFloats(vectors, model), texts);
  }

  /**
   * Writes int8/uint8/binary/ubinary vectors (as integers; npy dtype i1 or u1) to {@code file},
   * atomically.
   */
  public static void writeQuantized(
      Path file,
      EmbeddingFormat format,
      ModelInfo model,
      Precision precision,
      byte[][] vectors,
      List<String> texts) {
    writeFile(file, format, model, VectorRows.ofBytes(vectors, precision), texts);
  }

  /** Writes int8/uint8/binary/ubinary vectors to a stream. */
  public static void writeQuantized(
      OutputStream out,
      EmbeddingFormat format,
      ModelInfo model,
      Precision precision,
      byte[][] vectors,
      List<String> texts) {
    writeStream(out, format, model, VectorRows.ofBytes(vectors, precision), texts);
  }

  /** Writes the result of an encode call: its quantized bytes when it has a precision. */
  public static void write(
      Path file, EmbeddingFormat format, Embeddings embeddings, List<String> texts) {
    writeFile(file, format, embeddings.model(), VectorRows.of(embeddings), texts);
  }

  /** Writes the result of an encode call to a stream. */
  public static void write(
      OutputStream out, EmbeddingFormat format, Embeddings embeddings, List<String> texts) {
    writeStream(out, format, embeddings.model(), VectorRows.of(embeddings), texts);
  }

  /** The sidecar that records the model of {@code file}: {@code <file>.json}. */
  public static Path sidecarOf(Path file) {
    return file.resolveSibling(file.getFileName().toString() + SIDECAR_SUFFIX);
  }

  private static void writeFile(
      Path file, EmbeddingFormat format, ModelInfo model, VectorRows m, List<String> texts) {
    Objects.requireNonNull(file, "file");
    EmbeddingFormat f = format == null ? EmbeddingFormat.fromPath(file) : format;
    if (f != EmbeddingFormat.JSON) {
      try (EmbeddingFileWriter w = EmbeddingFileWriter.create(file, f, texts != null)) {
        w.write(m, model, texts);
        w.commit();
      }
      return;
    }
    if (texts != null) {
      m.checkTexts(texts, 0);
    }
    atomicWrite(file.toAbsolutePath(), out -> writeJson(out, model, m, texts));
  }

  private static void writeStream(
      OutputStream out, EmbeddingFormat format, ModelInfo model, VectorRows m, List<String> texts) {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(format, "format");
    if (format != EmbeddingFormat.JSON) {
      try (EmbeddingFileWriter w = EmbeddingFileWriter.to(out, format, texts != null, m.rows)) {
        w.write(m, model, texts);
        w.commit();
      }
      return;
    }
    if (texts != null) {
      m.checkTexts(texts, 0);
    }
    try {
      writeJson(out, model, m, texts);
      out.flush();
    } catch (IOException e) {
      throw new JembedException("cannot write embeddings: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** Writes to a temporary file beside {@code target}, then moves it into place. */
  static void atomicWrite(Path target, Body body) {
    Path dir = target.getParent();
    Path tmp = null;
    try {
      if (dir != null) {
        Files.createDirectories(dir);
      }
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        body.write(out);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException | UncheckedIOException e) {
      throw new JembedException("cannot write '" + target + "': " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temp file is hidden and named after the target
        }
      }
    }
  }

  private static void writeJson(OutputStream out, ModelInfo model, VectorRows m, List<String> texts)
      throws IOException {
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (model != null) {
        g.writeFieldName("model");
        MAPPER.writeTree(g, ModelInfoJson.toJson(model));
      }
      g.writeNumberField("dimension", m.cols);
      g.writeStringField("precision", m.precision.externalName());
      g.writeNumberField("count", m.rows);
      if (texts != null) {
        g.writeArrayFieldStart("texts");
        for (String t : texts) {
          g.writeString(t);
        }
        g.writeEndArray();
      }
      g.writeArrayFieldStart("embeddings");
      for (int i = 0; i < m.rows; i++) {
        m.writeJsonRow(g, i);
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeRaw('\n');
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads an embedding file. The format comes from the content for .npy files and otherwise from
   * the extension (sniffed from the content when the extension is not one of ours).
   */
  public static EmbeddingFile read(Path file) {
    return read(file, null);
  }

  /** Reads an embedding file of the given format (null: as {@link #read(Path)}). */
  public static EmbeddingFile read(Path file, EmbeddingFormat format) {
    Objects.requireNonNull(file, "file");
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new JembedException("embedding file not found: " + file, e);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
    if (Files.isDirectory(file)) {
      throw new JembedException("'" + file + "' is a folder, not an embedding file");
    }
    EmbeddingFormat f = format == null ? detect(file) : format;
    JsonNode sidecar = f.usesSidecar() ? readSidecar(file) : null;
    // an empty .jsonl is zero vectors when its sidecar says so; otherwise empty means broken
    boolean emptyOnPurpose =
        f == EmbeddingFormat.JSONL && sidecar != null && sidecar.path("count").asInt(-1) == 0;
    if (size == 0 && !emptyOnPurpose) {
      throw new JembedException("'" + file + "' is empty: it holds no embeddings");
    }
    EmbeddingFile read =
        switch (f) {
          case NPY -> readNpy(file, sidecar);
          case JSON -> readJson(file);
          case JSONL -> readJsonl(file, sidecar);
          case CSV -> readCsv(file, sidecar);
        };
    checkConsistent(file, read, sidecar);
    return read;
  }

  private static EmbeddingFormat detect(Path file) {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(4096);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
    if (head.length >= 6 && (head[0] & 0xff) == 0x93 && head[1] == 'N' && head[2] == 'U') {
      return EmbeddingFormat.NPY;
    }
    EmbeddingFormat byName = EmbeddingFormat.fromPathOrNull(file);
    if (byName != null) {
      return byName;
    }
    String start = new String(head, StandardCharsets.UTF_8).stripLeading();
    if (start.startsWith("[")) {
      return EmbeddingFormat.JSON;
    }
    if (start.startsWith("{")) {
      int nl = start.indexOf('\n');
      String firstLine = nl < 0 ? start : start.substring(0, nl);
      return firstLine.contains("\"embedding\"") ? EmbeddingFormat.JSONL : EmbeddingFormat.JSON;
    }
    return EmbeddingFormat.CSV;
  }

  private static JsonNode readSidecar(Path file) {
    Path sidecar = sidecarOf(file);
    if (!Files.isRegularFile(sidecar)) {
      return null;
    }
    try {
      JsonNode n = MAPPER.readTree(sidecar.toFile());
      if (n == null || !n.isObject()) {
        throw new JembedException("'" + sidecar + "' is not a JSON object describing " + file);
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new JembedException(
          "'" + sidecar + "' (the model record of " + file + ") is not valid JSON: " + where(e), e);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + sidecar + "': " + e.getMessage(), e);
    }
  }

  private static Precision precisionOf(JsonNode node, Path file) {
    JsonNode p = node == null ? null : node.get("precision");
    if (p == null || p.isNull()) {
      return null;
    }
    return parsePrecision(p.asText(), file);
  }

  private static Precision parsePrecision(String name, Path file) {
    try {
      return Precision.parse(name);
    } catch (IllegalArgumentException e) {
      throw new JembedException(file + ": " + e.getMessage(), e);
    }
  }

  private static void checkConsistent(Path file, EmbeddingFile read, JsonNode sidecar) {
    if (sidecar != null && sidecar.has("count") && sidecar.get("count").asInt() != read.size()) {
      throw new JembedException(
          "'"
              + file
              + "' holds "
              + read.size()
              + " vectors but its sidecar "
              + sidecarOf(file).getFileName()
              + " records "
              + sidecar.get("count").asInt()
              + ": the two files do not belong together (re-encode, or delete the sidecar)");
    }
    ModelInfo model = read.model();
    if (model != null
        && read.size() > 0
        && read.precision() == Precision.FLOAT32
        && model.dimension() != read.dimension()) {
      throw new JembedException(
          "'"
              + file
              + "' holds "
              + read.dimension()
              + "-d vectors but records model "
              + model.id()
              + " with dimension "
              + model.dimension());
    }
    Precision p = read.precision();
    if (p != Precision.FLOAT32) {
      int lo = p == Precision.UINT8 || p == Precision.UBINARY ? 0 : -128;
      int hi = lo + 255;
      float[][] v = read.vectors();
      for (int i = 0; i < v.length; i++) {
        for (int j = 0; j < v[i].length; j++) {
          float x = v[i][j];
          if (x != Math.rint(x) || x < lo || x > hi) {
            throw new JembedException(
                String.format(
                    "'%s' is recorded as %s but vector %d holds %s at position %d",
                    file, p.externalName(), i, x, j));
          }
        }
      }
    }
  }

  private static EmbeddingFile readNpy(Path file, JsonNode sidecar) {
    Npy.Array a = Npy.read(file);
    Precision recorded = precisionOf(sidecar, file);
    Precision p;
    if (a.kind() == 'f') {
      if (recorded != null && recorded != Precision.FLOAT32) {
        throw new JembedException(
            "'" + file + "' holds floats but its sidecar records " + recorded.externalName());
      }
      p = Precision.FLOAT32;
    } else if (a.kind() == 'u') {
      p = recorded == Precision.UBINARY ? Precision.UBINARY : Precision.UINT8;
    } else {
      p = recorded == Precision.BINARY ? Precision.BINARY : Precision.INT8;
    }
    ModelInfo model = ModelInfoJson.fromJson(sidecar, sidecarOf(file).toString());
    List<String> texts = sidecar == null ? null : texts(sidecar.get("texts"), sidecarOf(file));
    if (texts != null && texts.size() != a.values().length) {
      throw new JembedException(
          "'"
              + sidecarOf(file)
              + "' records "
              + texts.size()
              + " texts but '"
              + file
              + "' holds "
              + a.values().length
              + " vectors");
    }
    return new EmbeddingFile(a.values(), texts, model, p);
  }

  private static List<String> texts(JsonNode node, Path where) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw new JembedException("'" + where + "': 'texts' is not an array");
    }
    List<String> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode t = node.get(i);
      if (!t.isTextual()) {
        throw new JembedException("'" + where + "': text " + i + " is not a string");
      }
      out.add(t.asText());
    }
    return out;
  }

  private static EmbeddingFile readJson(Path file) {
    try (JsonParser p = JSON.createParser(file.toFile())) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_ARRAY) {
        // a bare list of vectors, as json.dump(embeddings.tolist()) writes
        float[][] v = readRows(p, file, "vector");
        requireEnd(p, file);
        return new EmbeddingFile(v, null, null, Precision.FLOAT32);
      }
      if (t != JsonToken.START_OBJECT) {
        throw new JembedException(
            "'" + file + "' is not a JSON embedding file: expected an object or an array");
      }
      ModelInfo model = null;
      Precision precision = null;
      List<String> texts = null;
      float[][] vectors = null;
      Integer dimension = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "model" -> model = ModelInfoJson.fromJson(MAPPER.readTree(p), file.toString());
          case "precision" -> precision = parsePrecision(p.getText(), file);
          case "dimension" -> dimension = p.getValueAsInt();
          case "texts" -> texts = texts(MAPPER.readTree(p), file);
          case "embeddings" -> vectors = readRows(p, file, "embedding");
          default -> p.skipChildren();
        }
      }
      requireEnd(p, file);
      if (vectors == null) {
        throw new JembedException("'" + file + "' has no \"embeddings\" array");
      }
      if (dimension != null && vectors.length > 0 && dimension != vectors[0].length) {
        throw new JembedException(
            "'"
                + file
                + "' says \"dimension\": "
                + dimension
                + " but holds vectors of dimension "
                + vectors[0].length);
      }
      if (texts != null && texts.size() != vectors.length) {
        throw new JembedException(
            "'" + file + "' holds " + texts.size() + " texts for " + vectors.length + " vectors");
      }
      return new EmbeddingFile(vectors, texts, model, precision);
    } catch (JsonProcessingException e) {
      throw new JembedException(
          "'" + file + "' is not a valid JSON embedding file: " + where(e), e);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
  }

  private static void requireEnd(JsonParser p, Path file) throws IOException {
    if (p.nextToken() != null) {
      throw new JembedException(
          "'" + file + "' has more JSON after its end, at line " + p.currentLocation().getLineNr());
    }
  }

  /** Reads [[...], [...]] from the parser positioned on the outer START_ARRAY. */
  private static float[][] readRows(JsonParser p, Path file, String what) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new JembedException("'" + file + "': \"embeddings\" is not an array");
    }
    List<float[]> rows = new ArrayList<>();
    int cols = -1;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new JembedException("'" + file + "' is truncated: it ends inside the embeddings");
      }
      float[] row = readRow(p, file, what + " " + rows.size());
      if (cols < 0) {
        cols = row.length;
      } else if (row.length != cols) {
        throw new JembedException(
            String.format(
                "'%s': %s %d has %d numbers, %s 0 has %d",
                file, what, rows.size(), row.length, what, cols));
      }
      rows.add(row);
    }
    return rows.toArray(new float[0][]);
  }

  private static float[] readRow(JsonParser p, Path file, String what) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new JembedException(
          "'"
              + file
              + "': "
              + what
              + " is not an array of numbers (line "
              + p.currentLocation().getLineNr()
              + ")");
    }
    float[] buf = new float[64];
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new JembedException("'" + file + "' is truncated: it ends inside " + what);
      }
      if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
        throw new JembedException(
            String.format(
                "'%s': %s holds %s at position %d where a number belongs (line %d)",
                file, what, p.getText(), n, p.currentLocation().getLineNr()));
      }
      if (n == buf.length) {
        buf = Arrays.copyOf(buf, n * 2);
      }
      buf[n++] = p.getFloatValue();
    }
    if (n == 0) {
      throw new JembedException("'" + file + "': " + what + " is empty");
    }
    return Arrays.copyOf(buf, n);
  }

  private static EmbeddingFile readJsonl(Path file, JsonNode sidecar) {
    List<float[]> rows = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    int withText = 0;
    int lineNo = 0;
    try (BufferedReader r = reader(file)) {
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        try (JsonParser p = JSON.createParser(line)) {
          if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new JembedException(
                "'" + file + "' line " + lineNo + ": expected a JSON object per line");
          }
          float[] row = null;
          String text = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
              case "embedding" -> row = readRow(p, file, "the embedding on line " + lineNo);
              case "text" -> text = p.getValueAsString();
              case "index" -> {
                if (p.getValueAsInt(-1) != rows.size()) {
                  throw new JembedException(
                      String.format(
                          "'%s' line %d: index %s out of order (expected %d)",
                          file, lineNo, p.getText(), rows.size()));
                }
              }
              default -> p.skipChildren();
            }
          }
          if (p.nextToken() != null) {
            throw new JembedException(
                "'" + file + "' line " + lineNo + ": more than one JSON value on the line");
          }
          if (row == null) {
            throw new JembedException(
                "'" + file + "' line " + lineNo + ": the object has no \"embedding\"");
          }
          if (!rows.isEmpty() && row.length != rows.get(0).length) {
            throw new JembedException(
                String.format(
                    "'%s' line %d: the embedding has %d numbers, the first has %d",
                    file, lineNo, row.length, rows.get(0).length));
          }
          rows.add(row);
          texts.add(text);
          if (text != null) {
            withText++;
          }
        } catch (JsonProcessingException e) {
          throw new JembedException(
              "'" + file + "' line " + lineNo + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
      }
    } catch (CharacterCodingException e) {
      throw notText(file, e);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
    if (withText != 0 && withText != rows.size()) {
      throw new JembedException(
          "'" + file + "': " + withText + " of " + rows.size() + " lines have a \"text\"");
    }
    return new EmbeddingFile(
        rows.toArray(new float[0][]),
        withText == 0 ? null : texts,
        ModelInfoJson.fromJson(sidecar, sidecarOf(file).toString()),
        precisionOf(sidecar, file));
  }

  private static EmbeddingFile readCsv(Path file, JsonNode sidecar) {
    try (BufferedReader r = reader(file)) {
      Csv csv = new Csv(r);
      List<String> first = csv.next();
      if (first == null) {
        throw new JembedException("'" + file + "' is empty: it holds no embeddings");
      }
      if (!first.isEmpty() && first.get(0).startsWith("\uFEFF")) {
        first.set(0, first.get(0).substring(1));
      }
      boolean hasText = !first.isEmpty() && first.get(0).trim().equalsIgnoreCase("text");
      boolean header = hasText || !allNumbers(first);
      int width = first.size();
      int cols = hasText ? width - 1 : width;
      List<float[]> rows = new ArrayList<>();
      List<String> texts = hasText ? new ArrayList<>() : null;
      List<String> record = header ? csv.next() : first;
      if (cols < 1 && record != null) {
        throw new JembedException("'" + file + "' has no number columns");
      }
      while (record != null) {
        int line = csv.recordLine();
        if (record.size() == 1 && record.get(0).isEmpty()) {
          record = csv.next(); // blank line
          continue;
        }
        if (record.size() != width) {
          throw new JembedException(
              String.format(
                  "'%s' line %d has %d columns, the %s has %d",
                  file, line, record.size(), header ? "header" : "first row", width));
        }
        float[] row = new float[cols];
        int off = hasText ? 1 : 0;
        for (int j = 0; j < cols; j++) {
          String cell = record.get(j + off).trim();
          try {
            row[j] = Float.parseFloat(cell);
          } catch (NumberFormatException e) {
            throw new JembedException(
                String.format(
                    "'%s' line %d, column %d: '%s' is not a number",
                    file, line, j + off + 1, cell));
          }
        }
        rows.add(row);
        if (texts != null) {
          texts.add(record.get(0));
        }
        record = csv.next();
      }
      return new EmbeddingFile(
          rows.toArray(new float[0][]),
          texts,
          ModelInfoJson.fromJson(sidecar, sidecarOf(file).toString()),
          precisionOf(sidecar, file));
    } catch (CharacterCodingException e) {
      throw notText(file, e);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
  }

  private static boolean allNumbers(List<String> cells) {
    for (String c : cells) {
      try {
        Float.parseFloat(c.trim());
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }

  /** A strict UTF-8 reader: binary files fail instead of turning into replacement characters. */
  private static BufferedReader reader(Path file) throws IOException {
    return new BufferedReader(
        new java.io.InputStreamReader(
            Files.newInputStream(file),
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)),
        1 << 16);
  }

  private static JembedException notText(Path file, IOException e) {
    return new JembedException(
        "'" + file + "' is not a UTF-8 text file (is it binary, or an .npy file?)", e);
  }

  private static String where(JsonProcessingException e) {
    var loc = e.getLocation();
    return e.getOriginalMessage().replaceAll("\\s+", " ")
        + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")");
  }

  // ---------------------------------------------------------------- models

  /**
   * Refuses vectors made by another model than the one in use: their identities (provider, id,
   * revision, dimension, normalization, similarity, prompts) must match. Passes when the file
   * records no model, since nothing can be checked.
   *
   * @param expected the model that will be compared with the file's vectors
   * @param recorded the model the file records, or null
   * @param file the file, for the message
   */
  public static void requireSameModel(ModelInfo expected, ModelInfo recorded, Path file) {
    Objects.requireNonNull(expected, "expected");
    if (recorded == null || expected.identity().equals(recorded.identity())) {
      return;
    }
    throw new JembedException(
        "'"
            + file
            + "' holds vectors made by "
            + describe(recorded)
            + ", not by "
            + describe(expected)
            + ": their vectors are not comparable; re-encode with the same model and options");
  }

  private static String describe(ModelInfo m) {
    return m.id() + " [" + m.identity() + "]";
  }
}
