package io.jembed.engine.graph;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One protocol buffers message as its list of fields, in wire order. Enough to read and rewrite the
 * few ONNX messages the graph fusion touches without generated classes: fields it does not look at
 * are kept byte for byte, so parse then {@link #toByteArray()} gives back the input.
 */
public final class ProtoMessage {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  /** A field: varint and fixed values in {@code number}, length-delimited ones in {@code bytes}. */
  public record Field(int number, int wireType, long value, byte[] bytes) {}

  private final List<Field> fields;

  public ProtoMessage() {
    this.fields = new ArrayList<>();
  }

  private ProtoMessage(List<Field> fields) {
    this.fields = fields;
  }

  public static ProtoMessage parse(byte[] data) {
    return parse(data, 0, data.length);
  }

  static ProtoMessage parse(byte[] data, int from, int to) {
    List<Field> fields = new ArrayList<>();
    int[] pos = {from};
    while (pos[0] < to) {
      long key = readVarint(data, pos, to);
      int number = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      switch (wireType) {
        case VARINT -> fields.add(new Field(number, wireType, readVarint(data, pos, to), null));
        case FIXED64 -> fields.add(new Field(number, wireType, readFixed(data, pos, 8, to), null));
        case FIXED32 -> fields.add(new Field(number, wireType, readFixed(data, pos, 4, to), null));
        case LENGTH_DELIMITED -> {
          long length = readVarint(data, pos, to);
          if (length < 0 || length > to - pos[0]) {
            throw new IllegalArgumentException("truncated protobuf field " + number);
          }
          byte[] bytes = java.util.Arrays.copyOfRange(data, pos[0], pos[0] + (int) length);
          pos[0] += (int) length;
          fields.add(new Field(number, wireType, 0, bytes));
        }
        default ->
            throw new IllegalArgumentException(
                "unsupported protobuf wire type " + wireType + " in field " + number);
      }
    }
    return new ProtoMessage(fields);
  }

  private static long readVarint(byte[] data, int[] pos, int to) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= to) {
        throw new IllegalArgumentException("truncated protobuf varint");
      }
      byte b = data[pos[0]++];
      result |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("malformed protobuf varint");
  }

  private static long readFixed(byte[] data, int[] pos, int size, int to) {
    if (to - pos[0] < size) {
      throw new IllegalArgumentException("truncated protobuf fixed field");
    }
    long result = 0;
    for (int i = 0; i < size; i++) {
      result |= (long) (data[pos[0]++] & 0xff) << (8 * i);
    }
    return result;
  }

  public byte[] toByteArray() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Field f : fields) {
      writeVarint(out, ((long) f.number() << 3) | f.wireType());
      switch (f.wireType()) {
        case VARINT -> writeVarint(out, f.value());
        case FIXED64 -> writeFixed(out, f.value(), 8);
        case FIXED32 -> writeFixed(out, f.value(), 4);
        default -> {
          writeVarint(out, f.bytes().length);
          out.writeBytes(f.bytes());
        }
      }
    }
    return out.toByteArray();
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7fL) != 0) {
      out.write((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static void writeFixed(ByteArrayOutputStream out, long value, int size) {
    for (int i = 0; i < size; i++) {
      out.write((int) (value >>> (8 * i)) & 0xff);
    }
  }

  public List<Field> fields() {
    return fields;
  }

  /** The first string in field {@code number}, or "" (proto3's default). */
  public String string(int number) {
    for (Field f : fields) {
      if (f.number() == number && f.wireType() == LENGTH_DELIMITED) {
        return new String(f.bytes(), StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  public List<String> strings(int number) {
    List<String> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.number() == number && f.wireType() == LENGTH_DELIMITED) {
        out.add(new String(f.bytes(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  public List<ProtoMessage> messages(int number) {
    List<ProtoMessage> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.number() == number && f.wireType() == LENGTH_DELIMITED) {
        out.add(parse(f.bytes()));
      }
    }
    return out;
  }

  /** The last varint in field {@code number} (protobuf's rule for repeated scalars), or 0. */
  public long varint(int number) {
    long value = 0;
    for (Field f : fields) {
      if (f.number() == number && f.wireType() == VARINT) {
        value = f.value();
      }
    }
    return value;
  }

  /** The last 32-bit float in field {@code number}, or {@code fallback}. */
  public float float32(int number, float fallback) {
    float value = fallback;
    for (Field f : fields) {
      if (f.number() == number && f.wireType() == FIXED32) {
        value = Float.intBitsToFloat((int) f.value());
      }
    }
    return value;
  }

  /** Repeated int64 values of field {@code number}, packed or not. */
  public List<Long> int64s(int number) {
    List<Long> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.number() != number) {
        continue;
      }
      if (f.wireType() == VARINT) {
        out.add(f.value());
      } else if (f.wireType() == LENGTH_DELIMITED) {
        int[] pos = {0};
        while (pos[0] < f.bytes().length) {
          out.add(readVarint(f.bytes(), pos, f.bytes().length));
        }
      }
    }
    return out;
  }

  /** The raw bytes of the first length-delimited field {@code number}, or null. */
  public byte[] bytes(int number) {
    for (Field f : fields) {
      if (f.number() == number && f.wireType() == LENGTH_DELIMITED) {
        return f.bytes();
      }
    }
    return null;
  }

  public boolean has(int number) {
    return fields.stream().anyMatch(f -> f.number() == number);
  }

  public ProtoMessage addString(int number, String value) {
    return addBytes(number, value.getBytes(StandardCharsets.UTF_8));
  }

  public ProtoMessage addBytes(int number, byte[] value) {
    fields.add(new Field(number, LENGTH_DELIMITED, 0, value));
    return this;
  }

  public ProtoMessage addMessage(int number, ProtoMessage value) {
    return addBytes(number, value.toByteArray());
  }

  public ProtoMessage addVarint(int number, long value) {
    fields.add(new Field(number, VARINT, value, null));
    return this;
  }

  public ProtoMessage addFloat32(int number, float value) {
    fields.add(new Field(number, FIXED32, Float.floatToRawIntBits(value) & 0xffffffffL, null));
    return this;
  }

  /** Replaces every field {@code number} by the given messages, at the place of the first one. */
  public void replaceMessages(int number, List<ProtoMessage> values) {
    int at = -1;
    List<Field> kept = new ArrayList<>();
    for (Field f : fields) {
      if (f.number() == number) {
        if (at < 0) {
          at = kept.size();
        }
      } else {
        kept.add(f);
      }
    }
    if (at < 0) {
      at = kept.size();
    }
    List<Field> replacement = new ArrayList<>();
    for (ProtoMessage m : values) {
      replacement.add(new Field(number, LENGTH_DELIMITED, 0, m.toByteArray()));
    }
    kept.addAll(at, replacement);
    fields.clear();
    fields.addAll(kept);
  }
}
