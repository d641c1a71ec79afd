package io.jembed.cli;

import io.jembed.JembedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Texts to embed, one per line, from a file or stdin. */
final class TextInput {
  private TextInput() {}

  /** The texts read, and how many blank lines were skipped. */
  record Lines(List<String> texts, int blankLines) {}

  /** Reads one text per line from {@code file} ("-" for stdin); blank lines are skipped. */
  static Lines read(String file, InputStream stdin) {
    try (LineReader in = LineReader.open(file, stdin)) {
      return new Lines(in.rest(), in.blankLines());
    }
  }

  /** Texts one line at a time, a chunk at a time: blank lines skipped (and counted). */
  static final class LineReader implements AutoCloseable {
    private final BufferedReader reader;
    private final String name;
    private final boolean regularFile;
    private final boolean stdin;
    private int lineNo;
    private int blank;
    private int texts;

    private LineReader(InputStream in, String name, boolean regularFile, boolean stdin) {
      this.reader =
          new BufferedReader(
              new InputStreamReader(
                  in,
                  StandardCharsets.UTF_8
                      .newDecoder()
                      .onMalformedInput(CodingErrorAction.REPORT)
                      .onUnmappableCharacter(CodingErrorAction.REPORT)),
              1 << 16);
      this.name = name;
      this.regularFile = regularFile;
      this.stdin = stdin;
    }

    /** Lines of {@code file} ("-" or null for {@code stdin}). */
    static LineReader open(String file, InputStream stdin) {
      if (file == null || file.equals("-")) {
        return new LineReader(stdin, "stdin", false, true);
      }
      Path path = Path.of(file);
      if (Files.isDirectory(path)) {
        throw new JembedException("input '" + file + "' is a folder, not a text file");
      }
      try {
        return new LineReader(
            Files.newInputStream(path), "'" + file + "'", Files.isRegularFile(path), false);
      } catch (NoSuchFileException e) {
        throw new JembedException("input file not found: " + file, e);
      } catch (IOException e) {
        throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
      }
    }

    /** "stdin" or the file's name in quotes, for messages. */
    String name() {
      return name;
    }

    /** Whether the input is a regular file (which can be read again). */
    boolean regularFile() {
      return regularFile;
    }

    /** Up to {@code max} more texts; an empty list at the end. */
    List<String> next(int max) {
      List<String> out = new ArrayList<>(Math.min(max, 1024));
      try {
        String line;
        while (out.size() < max && (line = reader.readLine()) != null) {
          lineNo++;
          if (lineNo == 1 && line.startsWith("\uFEFF")) {
            line = line.substring(1);
          }
          if (line.indexOf('\0') >= 0) {
            throw new JembedException(
                name
                    + " looks binary (a NUL byte on line "
                    + lineNo
                    + "): expected text, one per line");
          }
          if (line.isBlank()) {
            blank++;
          } else {
            out.add(line);
          }
        }
      } catch (CharacterCodingException e) {
        throw new JembedException(
            name + " is not UTF-8 text (line " + (lineNo + 1) + "): expected text, one per line",
            e);
      } catch (IOException e) {
        throw new JembedException("cannot read " + name + ": " + e.getMessage(), e);
      }
      texts += out.size();
      return out;
    }

    /** Every remaining text. */
    List<String> rest() {
      List<String> all = new ArrayList<>();
      for (List<String> chunk; !(chunk = next(1 << 16)).isEmpty(); ) {
        all.addAll(chunk);
      }
      return List.copyOf(all);
    }

    /** Blank lines skipped so far. */
    int blankLines() {
      return blank;
    }

    /** Texts returned so far. */
    int texts() {
      return texts;
    }

    /** Closes a file (stdin stays open). */
    @Override
    public void close() {
      if (stdin) {
        return;
      }
      try {
        reader.close();
      } catch (IOException ignored) {
        // only read from
      }
    }
  }

  /** A text cut to {@code max} characters for a label, on one line. */
  static String label(String text, int max) {
    String one = text.replaceAll("\\s+", " ").strip();
    if (one.codePointCount(0, one.length()) <= max) {
      return one;
    }
    int end = one.offsetByCodePoints(0, max - 1);
    return one.substring(0, end) + "…";
  }
}
