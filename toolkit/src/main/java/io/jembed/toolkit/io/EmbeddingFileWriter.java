package io.jembed.toolkit.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import io.jembed.Embeddings;
import io.jembed.JembedException;
import io.jembed.ModelInfo;
import io.jembed.Precision;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes embeddings to an .npy, .jsonl or .csv file a chunk at a time, so memory stays flat however
 * many vectors there are; the bytes are those {@link EmbeddingFiles#write} gives for all chunks at
 * once. (A .json document holds the count and every text before the vectors: write it whole with
 * {@link EmbeddingFiles}.)
 *
 * <p>Nothing appears at the target until {@link #commit()}: the file grows in a hidden temporary
 * file beside it (an .npy header's row count is filled in at the end) and is then moved into place,
 * followed by its sidecar {@code <file>.json} (the model, precision and count and, for .npy, the
 * texts, which wait in a second temporary file meanwhile). Closing without a commit deletes both.
 *
 * <pre>{@code
 * try (EmbeddingFileWriter out = EmbeddingFileWriter.create(path, null, true)) {
 *   for (List<String> chunk : chunks) {
 *     out.write(model.encode(chunk, options), chunk);
 *   }
 *   out.commit();
 * }
 * }</pre>
 */
public final class EmbeddingFileWriter implements AutoCloseable {
  private final EmbeddingFormat format;
  private final boolean withTexts;

  /** The file to create, or null when writing to a caller's stream. */
  private final Path target;

  /** The temporary file beside the target, and its channel (to rewrite an .npy header). */
  private final Path tmp;

  private final FileChannel channel;
  private final OutputStream out;

  /** Rows an .npy header written to a stream announces (it cannot be rewritten), else -1. */
  private final long announcedRows;

  /** An .npy file's texts until the sidecar is written: length-prefixed UTF-16. */
  private Path textSpool;

  private DataOutputStream spool;
  private JsonGenerator jsonl;
  private Writer csv;
  private boolean started;
  private boolean npyHeaderWritten;
  private ModelInfo model;
  private Precision precision = Precision.FLOAT32;
  private int cols;
  private long rows;
  private boolean committed;
  private boolean closed;

  private EmbeddingFileWriter(
      EmbeddingFormat format,
      boolean withTexts,
      Path target,
      Path tmp,
      FileChannel channel,
      OutputStream out,
      long announcedRows) {
    this.format = format;
    this.withTexts = withTexts;
    this.target = target;
    this.tmp = tmp;
    this.channel = channel;
    this.out = out;
    this.announcedRows = announcedRows;
  }

  /**
   * A writer of {@code file} (replaced on commit when it exists).
   *
   * @param format npy, jsonl or csv, or null to take it from the file's extension
   * @param withTexts whether every write brings the texts (recorded in .jsonl and .csv rows and in
   *     an .npy file's sidecar)
   */
  public static EmbeddingFileWriter create(Path file, EmbeddingFormat format, boolean withTexts) {
    Objects.requireNonNull(file, "file");
    EmbeddingFormat f = format == null ? EmbeddingFormat.fromPath(file) : format;
    requireStreamable(f);
    Path target = file.toAbsolutePath();
    Path tmp = null;
    FileChannel channel = null;
    try {
      Files.createDirectories(target.getParent());
      tmp = hiddenSibling(target, ".tmp");
      channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
      EmbeddingFileWriter w = new EmbeddingFileWriter(f, withTexts, target, tmp, channel, out, -1);
      if (f == EmbeddingFormat.NPY && withTexts) {
        w.textSpool = hiddenSibling(target, ".texts.tmp");
        w.spool =
            new DataOutputStream(
                new BufferedOutputStream(Files.newOutputStream(w.textSpool), 1 << 16));
      }
      return w;
    } catch (IOException e) {
      closeQuietly(channel);
      deleteQuietly(tmp);
      throw new JembedException("cannot write '" + target + "': " + e.getMessage(), e);
    }
  }

  /**
   * A writer of .jsonl or .csv to a stream (standard output): each write ends with whole rows
   * flushed to it; {@link #commit()} flushes and leaves the stream open. Nothing records the model.
   */
  public static EmbeddingFileWriter to(
      OutputStream out, EmbeddingFormat format, boolean withTexts) {
    Objects.requireNonNull(format, "format");
    if (format == EmbeddingFormat.NPY) {
      throw new IllegalArgumentException(
          "npy cannot be streamed: its header holds the row count; write it to a file");
    }
    return to(out, format, withTexts, -1);
  }

  /** As above; an .npy header announces {@code rows}, which the writes must then bring. */
  static EmbeddingFileWriter to(
      OutputStream out, EmbeddingFormat format, boolean withTexts, long rows) {
    Objects.requireNonNull(out, "out");
    requireStreamable(format);
    return new EmbeddingFileWriter(format, withTexts, null, null, null, out, rows);
  }

  private static void requireStreamable(EmbeddingFormat format) {
    if (format == EmbeddingFormat.JSON) {
      throw new IllegalArgumentException(
          "json cannot be written in chunks: its header holds the count and every text before"
              + " the vectors; write it whole with EmbeddingFiles.write, or use jsonl");
    }
  }

  private static Path hiddenSibling(Path target, String suffix) throws IOException {
    return Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", suffix);
  }

  /**
   * Appends the vectors of one encode call (its quantized bytes when it has a precision).
   *
   * @param texts the inputs, one per vector, when the writer was opened with texts; else null
   */
  public void write(Embeddings embeddings, List<String> texts) {
    Objects.requireNonNull(embeddings, "embeddings");
    write(VectorRows.of(embeddings), embeddings.model(), texts);
  }

  /** Vectors written so far. */
  public long count() {
    return rows;
  }

  void write(VectorRows m, ModelInfo model, List<String> texts) {
    if (committed || closed) {
      throw new IllegalStateException(
          "the embedding file writer is " + (closed ? "closed" : "committed"));
    }
    checkTexts(m, texts);
    if (!started) {
      this.model = model;
      this.precision = m.precision;
      this.cols = m.cols;
      started = true;
    } else {
      checkSameKind(m, model);
    }
    try {
      switch (format) {
        case NPY -> {
          if (m.rows > 0) {
            writeNpyHeaderOnce();
          }
          m.writeNpyData(out);
          if (spool != null) {
            for (String t : texts) {
              spool.writeInt(t.length());
              spool.writeChars(t);
            }
          }
        }
        case JSONL -> writeJsonlRows(m, texts);
        case CSV -> writeCsvRows(m, texts);
        case JSON -> throw new IllegalStateException("json is not streamed");
      }
      rows += m.rows;
      if (target == null) {
        out.flush();
      }
    } catch (IOException e) {
      throw failure(e);
    }
  }

  private void checkTexts(VectorRows m, List<String> texts) {
    if (!withTexts) {
      if (texts != null) {
        throw new IllegalArgumentException(
            "this embedding file writer was opened without texts, but texts were given");
      }
      return;
    }
    if (texts == null) {
      throw new IllegalArgumentException(
          "this embedding file writer records texts: give one text per vector");
    }
    m.checkTexts(texts, rows);
  }

  private void checkSameKind(VectorRows m, ModelInfo model) {
    if (m.precision != precision) {
      throw new IllegalArgumentException(
          "vectors of precision "
              + m.precision.externalName()
              + " cannot follow "
              + precision.externalName()
              + " ones in one file");
    }
    if (rows == 0) {
      cols = m.cols; // nothing written yet: an empty first chunk decides nothing
    } else if (m.rows > 0 && m.cols != cols) {
      throw new IllegalArgumentException(
          "vectors of dimension " + m.cols + " cannot follow " + cols + "-d ones in one file");
    }
    if (!Objects.equals(model, this.model)) {
      throw new IllegalArgumentException(
          "vectors of " + describe(model) + " cannot follow vectors of " + describe(this.model));
    }
  }

  private static String describe(ModelInfo m) {
    return m == null ? "an unknown model" : m.id() + " (" + m.dimension() + "-d)";
  }

  /**
   * The header goes out before the first row: with the announced count (a stream), or with 0 until
   * {@link #finishNpy} rewrites it (a file).
   */
  private void writeNpyHeaderOnce() throws IOException {
    if (!npyHeaderWritten) {
      out.write(Npy.header(npyDescr(), announcedRows < 0 ? 0 : announcedRows, cols));
      npyHeaderWritten = true;
    }
  }

  private String npyDescr() {
    return switch (precision) {
      case FLOAT32 -> "<f4";
      case UINT8, UBINARY -> "|u1";
      default -> "|i1";
    };
  }

  private void writeJsonlRows(VectorRows m, List<String> texts) throws IOException {
    if (jsonl == null) {
      jsonl = EmbeddingFiles.JSON.createGenerator(out);
      jsonl.setPrettyPrinter(new MinimalPrettyPrinter(""));
    }
    for (int i = 0; i < m.rows; i++) {
      jsonl.writeStartObject();
      jsonl.writeNumberField("index", rows + i);
      if (texts != null) {
        jsonl.writeStringField("text", texts.get(i));
      }
      jsonl.writeFieldName("embedding");
      m.writeJsonRow(jsonl, i);
      jsonl.writeEndObject();
      jsonl.writeRaw('\n');
    }
    jsonl.flush();
  }

  private void writeCsvRows(VectorRows m, List<String> texts) throws IOException {
    if (m.rows == 0) {
      return; // the header waits for a dimension that rows decide (or for the commit)
    }
    csvHeader();
    StringBuilder row = new StringBuilder();
    for (int i = 0; i < m.rows; i++) {
      row.setLength(0);
      if (texts != null) {
        Csv.appendField(row, texts.get(i));
      }
      for (int j = 0; j < m.cols; j++) {
        if (texts != null || j > 0) {
          row.append(',');
        }
        m.appendValue(row, i, j);
      }
      csv.write(row.append("\r\n").toString());
    }
    csv.flush();
  }

  private void csvHeader() throws IOException {
    if (csv != null) {
      return;
    }
    csv = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    StringBuilder row = new StringBuilder();
    if (withTexts) {
      row.append("text");
    }
    for (int j = 0; j < cols; j++) {
      if (withTexts || j > 0) {
        row.append(',');
      }
      row.append("dim_").append(j);
    }
    csv.write(row.append("\r\n").toString());
  }

  /**
   * Finishes the file: fills in the row count, moves it into place and writes its sidecar (for a
   * stream: flushes it).
   */
  public void commit() {
    if (closed || committed) {
      throw new IllegalStateException(
          "the embedding file writer is " + (closed ? "closed" : "committed"));
    }
    try {
      switch (format) {
        case NPY -> finishNpy();
        case JSONL -> {
          if (jsonl != null) {
            jsonl.close(); // the factory leaves the target open
          }
        }
        case CSV -> csvHeader(); // an empty file still has its header row
        case JSON -> throw new IllegalStateException("json is not streamed");
      }
      if (csv != null) {
        csv.flush();
      }
      out.flush();
      if (target != null) {
        out.close();
        moveIntoPlace();
        if (spool != null) {
          spool.close();
        }
        EmbeddingFiles.atomicWrite(EmbeddingFiles.sidecarOf(target), this::writeSidecar);
      }
      committed = true;
    } catch (IOException e) {
      throw failure(e);
    } finally {
      close();
    }
  }

  private void finishNpy() throws IOException {
    writeNpyHeaderOnce();
    if (announcedRows >= 0 && announcedRows != rows) {
      throw new IllegalStateException(
          "the npy header announced " + announcedRows + " vectors but " + rows + " were written");
    }
    if (channel != null) {
      out.flush();
      byte[] header = Npy.header(npyDescr(), rows, cols);
      // the header is 128 bytes for every row count, so it is rewritten in place
      channel.write(ByteBuffer.wrap(header), 0);
    }
  }

  private void moveIntoPlace() throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The sidecar, as {@link EmbeddingFiles} always wrote it, the texts read back one by one. */
  private void writeSidecar(OutputStream sidecar) throws IOException {
    try (JsonGenerator g = EmbeddingFiles.JSON.createGenerator(sidecar)) {
      g.setPrettyPrinter(new DefaultPrettyPrinter());
      g.writeStartObject();
      if (model != null) {
        Iterator<Map.Entry<String, JsonNode>> fields = ModelInfoJson.toJson(model).fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          g.writeFieldName(field.getKey());
          EmbeddingFiles.MAPPER.writeTree(g, field.getValue());
        }
      }
      g.writeStringField("format", format.extension());
      g.writeStringField("precision", precision.externalName());
      g.writeNumberField("count", rows);
      g.writeNumberField("columns", cols);
      g.writeStringField("created", Instant.now().toString());
      if (textSpool != null) {
        g.writeArrayFieldStart("texts");
        try (DataInputStream in =
            new DataInputStream(
                new BufferedInputStream(Files.newInputStream(textSpool), 1 << 16))) {
          for (long i = 0; i < rows; i++) {
            char[] text = new char[in.readInt()];
            for (int k = 0; k < text.length; k++) {
              text[k] = in.readChar();
            }
            g.writeString(text, 0, text.length);
          }
        } catch (EOFException e) {
          throw new IOException("the texts waiting for the sidecar were cut short", e);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
  }

  private JembedException failure(Exception e) {
    String what = target == null ? "embeddings" : "'" + target + "'";
    return new JembedException("cannot write " + what + ": " + e.getMessage(), e);
  }

  /** Deletes what a writer that was not committed has written; a no-op after a commit. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (target == null) {
      return; // the caller's stream stays open
    }
    closeQuietly(spool);
    closeQuietly(out);
    closeQuietly(channel);
    deleteQuietly(textSpool);
    if (!committed) {
      deleteQuietly(tmp);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception ignored) {
      // cleaning up after a failure or a finished write
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: temporary files are hidden and named after the target
    }
  }
}
