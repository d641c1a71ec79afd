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
    if (file == null || file.equals("-")) {
      return read(stdin, "stdin");
    }
    Path path = Path.of(file);
    if (Files.isDirectory(path)) {
      throw new JembedException("input '" + file + "' is a folder, not a text file");
    }
    try (InputStream in = Files.newInputStream(path)) {
      return read(in, "'" + file + "'");
    } catch (NoSuchFileException e) {
      throw new JembedException("input file not found: " + file, e);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
  }

  private static Lines read(InputStream in, String name) {
    List<String> texts = new ArrayList<>();
    int blank = 0;
    int lineNo = 0;
    try {
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(
                  in,
                  StandardCharsets.UTF_8
                      .newDecoder()
                      .onMalformedInput(CodingErrorAction.REPORT)
                      .onUnmappableCharacter(CodingErrorAction.REPORT)),
              1 << 16);
      String line;
      while ((line = r.readLine()) != null) {
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
          texts.add(line);
        }
      }
    } catch (CharacterCodingException e) {
      throw new JembedException(
          name + " is not UTF-8 text (line " + (lineNo + 1) + "): expected text, one per line", e);
    } catch (IOException e) {
      throw new JembedException("cannot read " + name + ": " + e.getMessage(), e);
    }
    return new Lines(List.copyOf(texts), blank);
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
