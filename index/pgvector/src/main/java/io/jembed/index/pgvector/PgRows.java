package io.jembed.index.pgvector;

import io.jembed.index.MetadataJson;
import io.jembed.index.StoredDocument;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Chunks to and from PostgreSQL's binary forms: rows for {@code COPY ... (FORMAT binary)}, the
 * fastest way into a table (no SQL to parse, no float to print), and vectors in pgvector's binary
 * form (a 16-bit dimension, 16 unused bits, big-endian floats) both ways, so a copy keeps every
 * bit.
 */
final class PgRows {
  static final String COLUMNS =
      "id, chunk, start_offset, end_offset, text, source, metadata, embedding";

  private static final byte[] HEADER = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0
  };

  /** Flush to the server every so many bytes, so a large batch never sits whole in memory. */
  private static final int FLUSH_BYTES = 1 << 20;

  private PgRows() {}

  /**
   * Writes every chunk of the documents with one COPY; returns the number of rows. The caller's
   * transaction decides when they become visible.
   */
  static long copy(Connection connection, String table, List<StoredDocument> documents)
      throws SQLException {
    CopyIn copy =
        connection
            .unwrap(PGConnection.class)
            .getCopyAPI()
            .copyIn("COPY " + table + " (" + COLUMNS + ") FROM STDIN (FORMAT binary)");
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(FLUSH_BYTES + (FLUSH_BYTES >> 2));
      DataOutputStream out = new DataOutputStream(buffer);
      out.write(HEADER);
      for (StoredDocument d : documents) {
        String metadata = MetadataJson.write(d.metadata());
        byte[] json = (metadata.isEmpty() ? "{}" : metadata).getBytes(StandardCharsets.UTF_8);
        byte[] id = d.id().getBytes(StandardCharsets.UTF_8);
        for (StoredDocument.Chunk c : d.chunks()) {
          out.writeShort(8);
          bytes(out, id);
          int4(out, c.index());
          int4(out, c.start());
          int4(out, c.end());
          bytes(out, c.text().getBytes(StandardCharsets.UTF_8));
          if (c.index() == 0) {
            bytes(out, d.text().getBytes(StandardCharsets.UTF_8));
          } else {
            out.writeInt(-1); // NULL: the whole text is kept once
          }
          out.writeInt(json.length + 1);
          out.writeByte(1); // jsonb's binary form: version 1, then the text
          out.write(json);
          float[] v = c.vector();
          out.writeInt(4 + 4 * v.length);
          out.writeShort(v.length);
          out.writeShort(0);
          for (float x : v) {
            out.writeFloat(x);
          }
          if (buffer.size() >= FLUSH_BYTES) {
            copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            buffer.reset();
          }
        }
      }
      out.writeShort(-1);
      copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
      return copy.endCopy();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array stream does not fail
    } finally {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    }
  }

  private static void int4(DataOutputStream out, int value) throws IOException {
    out.writeInt(4);
    out.writeInt(value);
  }

  private static void bytes(DataOutputStream out, byte[] value) throws IOException {
    out.writeInt(value.length);
    out.write(value);
  }

  /** A vector from {@code vector_send(embedding)}. */
  static float[] vector(byte[] sent) {
    ByteBuffer b = ByteBuffer.wrap(sent); // big-endian, as PostgreSQL sends
    int dim = Short.toUnsignedInt(b.getShort());
    b.getShort();
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = b.getFloat();
    }
    return v;
  }

  /** A vector as pgvector's text input reads it: every float round-trips exactly. */
  static String text(float[] v) {
    StringBuilder b = new StringBuilder(v.length * 12).append('[');
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(v[i]);
    }
    return b.append(']').toString();
  }

  /**
   * What PostgreSQL cannot keep in text or jsonb: the NUL character. Returns the error for the
   * first document that has one, or null.
   */
  static String unstorable(List<StoredDocument> documents) {
    for (StoredDocument d : documents) {
      boolean nul = d.id().indexOf(0) >= 0 || d.text().indexOf(0) >= 0;
      for (StoredDocument.Chunk c : d.chunks()) {
        nul |= c.text().indexOf(0) >= 0;
      }
      for (Map.Entry<String, Object> e : d.metadata().entrySet()) {
        nul |= e.getKey().indexOf(0) >= 0 || String.valueOf(e.getValue()).indexOf(0) >= 0;
      }
      if (nul) {
        return "document '"
            + d.id().replace("\0", "\\0")
            + "' holds a NUL character (\\u0000), which PostgreSQL cannot store in text: remove"
            + " it";
      }
    }
    return null;
  }
}
