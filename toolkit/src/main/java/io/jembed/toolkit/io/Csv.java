package io.jembed.toolkit.io;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 records: fields in double quotes may hold commas, quotes ("") and line breaks. */
final class Csv {
  private final Reader in;
  private int line = 1;
  private int recordLine = 1;
  private int pushback = -2;

  Csv(Reader in) {
    this.in = in;
  }

  /** The line the last record returned by {@link #next()} started on (1-based). */
  int recordLine() {
    return recordLine;
  }

  /** The next record, or null at the end. */
  List<String> next() throws IOException {
    int c = read();
    if (c < 0) {
      return null;
    }
    recordLine = line;
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    while (true) {
      if (quoted) {
        if (c < 0) {
          throw new IOException("line " + recordLine + ": a quoted field is never closed");
        }
        if (c == '"') {
          int d = read();
          if (d == '"') {
            field.append('"');
          } else {
            quoted = false;
            c = d;
            continue;
          }
        } else {
          if (c == '\n') {
            line++;
          }
          field.append((char) c);
        }
      } else if (c < 0 || c == '\n' || c == '\r') {
        if (c == '\r') {
          int d = read();
          if (d != '\n') {
            unread(d);
          }
        }
        if (c >= 0) {
          line++;
        }
        fields.add(field.toString());
        return fields;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
        wasQuoted = false;
      } else if (c == '"' && field.isEmpty() && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else {
        field.append((char) c);
      }
      c = read();
    }
  }

  private int read() throws IOException {
    if (pushback != -2) {
      int c = pushback;
      pushback = -2;
      return c;
    }
    return in.read();
  }

  private void unread(int c) {
    pushback = c;
  }

  /** Appends a field, quoted when it holds a comma, quote, line break or edge whitespace. */
  static void appendField(StringBuilder sb, String s) {
    boolean quote =
        s.isEmpty()
            || s.indexOf(',') >= 0
            || s.indexOf('"') >= 0
            || s.indexOf('\n') >= 0
            || s.indexOf('\r') >= 0
            || !s.strip().equals(s);
    if (!quote) {
      sb.append(s);
      return;
    }
    sb.append('"').append(s.replace("\"", "\"\"")).append('"');
  }
}
