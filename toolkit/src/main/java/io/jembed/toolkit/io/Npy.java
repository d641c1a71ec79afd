package io.jembed.toolkit.io;

import io.jembed.JembedException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy's .npy format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html) for
 * 2-D arrays: written as version 1.0, little-endian, C order; read in versions 1-3, either byte
 * order, C or Fortran order, dtypes f2/f4/f8/i1/u1.
 */
final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** A 2-D array as floats, and the kind of numbers the file held: 'f', 'i' (signed), 'u'. */
  record Array(float[][] values, int columns, char kind) {}

  /**
   * The version 1.0 header: 128 bytes for any row count and dimension an int holds (the dictionary
   * is padded to a multiple of 64), so a header can be written first and rewritten in place once
   * the row count is known.
   */
  static byte[] header(String descr, long rows, int cols) {
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': False, 'shape': ("
            + rows
            + ", "
            + cols
            + "), }";
    // magic (6) + version (2) + header length (2) + dict + padding + '\n', a multiple of 64
    int unpadded = 10 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    StringBuilder header = new StringBuilder(dict);
    header.append(" ".repeat(total - unpadded)).append('\n');
    int len = header.length();
    byte[] out = new byte[10 + len];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[6] = 1;
    out[7] = 0;
    out[8] = (byte) (len & 0xff);
    out[9] = (byte) ((len >> 8) & 0xff);
    byte[] text = header.toString().getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, out, 10, text.length);
    return out;
  }

  /** Writes float32 rows in little-endian order. */
  static void writeFloats(OutputStream out, float[][] rows, int cols) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(cols * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      buf.clear();
      buf.asFloatBuffer().put(row);
      out.write(buf.array(), 0, cols * 4);
    }
  }

  static Array read(Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      return read(in, size, file.toString());
    } catch (EOFException e) {
      throw new JembedException("'" + file + "' is not an npy file: it ends inside its header", e);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
  }

  private static Array read(DataInputStream in, long fileSize, String name) throws IOException {
    byte[] magic = new byte[6];
    int got = in.readNBytes(magic, 0, 6);
    if (got < 6 || !Arrays.equals(magic, MAGIC)) {
      throw new JembedException(
          "'" + name + "' is not an npy file: it does not start with numpy's magic string");
    }
    int major = in.readUnsignedByte();
    in.readUnsignedByte();
    long headerLen;
    int prefix;
    if (major == 1) {
      headerLen = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
      prefix = 10;
    } else if (major == 2 || major == 3) {
      headerLen = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
      prefix = 12;
    } else {
      throw new JembedException(
          "'" + name + "' is an npy file of version " + major + ", which jembed cannot read");
    }
    if (prefix + headerLen > fileSize) {
      throw new JembedException("'" + name + "' is truncated: it ends inside its npy header");
    }
    byte[] headerBytes = in.readNBytes((int) headerLen);
    String header =
        new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, name, "descr");
    boolean fortran = "True".equals(group(FORTRAN, header, name, "fortran_order"));
    long[] shape = parseShape(group(SHAPE, header, name, "shape"), name);
    if (shape.length != 2) {
      throw new JembedException(
          "'"
              + name
              + "' holds a "
              + shape.length
              + "-D array of shape "
              + Arrays.toString(shape)
              + ": expected a 2-D array (vectors x dimension)");
    }
    if (shape[0] > Integer.MAX_VALUE || shape[1] > Integer.MAX_VALUE) {
      throw new JembedException("'" + name + "' is too large: shape " + Arrays.toString(shape));
    }
    Dtype dtype = Dtype.parse(descr, name);
    int rows = (int) shape[0];
    int cols = (int) shape[1];
    long dataBytes = shape[0] * shape[1] * dtype.size;
    long available = fileSize - prefix - headerLen;
    if (available < dataBytes) {
      throw new JembedException(
          String.format(
              "'%s' is truncated: its header says %d x %d %s (%d bytes of data) but only %d bytes"
                  + " follow",
              name, rows, cols, descr, dataBytes, available));
    }
    if (available > dataBytes) {
      throw new JembedException(
          String.format(
              "'%s' is damaged: %d bytes follow the %d x %d %s array",
              name, available - dataBytes, rows, cols, descr));
    }
    float[][] values = new float[rows][cols];
    if (fortran) {
      // column-major: fill column by column
      float[] column = new float[rows];
      byte[] buf = new byte[Math.multiplyExact(rows, dtype.size)];
      for (int j = 0; j < cols; j++) {
        in.readFully(buf);
        dtype.decode(buf, column, rows);
        for (int i = 0; i < rows; i++) {
          values[i][j] = column[i];
        }
      }
    } else {
      byte[] buf = new byte[Math.multiplyExact(cols, dtype.size)];
      for (int i = 0; i < rows; i++) {
        in.readFully(buf);
        dtype.decode(buf, values[i], cols);
      }
    }
    return new Array(values, cols, dtype.kind);
  }

  private static String group(Pattern p, String header, String name, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new JembedException(
          "'" + name + "' has an npy header without a readable '" + key + "': " + header.trim());
    }
    return m.group(1);
  }

  private static long[] parseShape(String s, String name) {
    String[] parts = s.split(",");
    long[] dims = new long[parts.length];
    int n = 0;
    for (String p : parts) {
      String t = p.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (t.endsWith("L")) {
        t = t.substring(0, t.length() - 1);
      }
      try {
        dims[n++] = Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new JembedException("'" + name + "' has an unreadable npy shape: (" + s + ")");
      }
    }
    return Arrays.copyOf(dims, n);
  }

  /** An element type and its byte order. */
  private record Dtype(String type, ByteOrder order, int size, char kind) {
    static Dtype parse(String descr, String name) {
      if (descr.length() == 3 && "<>|=".indexOf(descr.charAt(0)) >= 0) {
        ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String type = descr.substring(1);
        switch (type) {
          case "f2":
            return new Dtype(type, order, 2, 'f');
          case "f4":
            return new Dtype(type, order, 4, 'f');
          case "f8":
            return new Dtype(type, order, 8, 'f');
          case "i1":
            return new Dtype(type, order, 1, 'i');
          case "u1":
            return new Dtype(type, order, 1, 'u');
          default:
            break;
        }
      }
      throw new JembedException(
          "'"
              + name
              + "' holds numbers of dtype '"
              + descr
              + "': jembed reads float32 (<f4), float16, float64, int8 (i1) and uint8 (u1)");
    }

    void decode(byte[] buf, float[] out, int n) {
      ByteBuffer b = ByteBuffer.wrap(buf).order(order);
      switch (type) {
        case "f2" -> {
          for (int i = 0; i < n; i++) {
            out[i] = Float.float16ToFloat(b.getShort(i * 2));
          }
        }
        case "f4" -> b.asFloatBuffer().get(out, 0, n);
        case "f8" -> {
          for (int i = 0; i < n; i++) {
            out[i] = (float) b.getDouble(i * 8);
          }
        }
        case "i1" -> {
          for (int i = 0; i < n; i++) {
            out[i] = buf[i];
          }
        }
        default -> {
          for (int i = 0; i < n; i++) {
            out[i] = buf[i] & 0xff;
          }
        }
      }
    }
  }
}
