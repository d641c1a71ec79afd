package io.jembed.toolkit.eval;

import io.jembed.JembedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the STS benchmark's tab-separated files (sts-dev.csv, sts-test.csv): genre, file, year, id,
 * gold score (column 5), sentence 1 (column 6), sentence 2 (column 7), then optional extra columns.
 *
 * <p>Despite the .csv name these are not RFC CSV: sentences hold unbalanced quotes, so lines are
 * split on tabs only.
 */
public final class StsDataset {
  private static final int SCORE = 4;
  private static final int SENTENCE1 = 5;
  private static final int SENTENCE2 = 6;
  private static final int MAX_REPORTED = 5;

  private StsDataset() {}

  /**
   * All rows of the file, in order. Blank lines are skipped; any other row without a numeric score
   * and two sentences fails the whole read, naming the bad lines.
   */
  public static List<StsPair> read(Path file) {
    List<StsPair> pairs = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    int badCount = 0;
    int lineNo = 0;
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Files.newInputStream(file),
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)))) {
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        String problem = null;
        String[] cols = line.split("\t", -1);
        if (cols.length < SENTENCE2 + 1) {
          problem = cols.length + " tab-separated columns, expected at least 7";
        } else {
          double score = Double.NaN;
          try {
            score = Double.parseDouble(cols[SCORE].trim());
          } catch (NumberFormatException e) {
            // reported below
          }
          if (!Double.isFinite(score)) {
            problem = "score '" + cols[SCORE] + "' in column 5 is not a number";
          } else if (cols[SENTENCE1].isBlank() || cols[SENTENCE2].isBlank()) {
            problem = "a sentence (column 6 or 7) is empty";
          } else {
            pairs.add(new StsPair(cols[SENTENCE1], cols[SENTENCE2], score, lineNo));
          }
        }
        if (problem != null) {
          badCount++;
          if (bad.size() < MAX_REPORTED) {
            bad.add("line " + lineNo + ": " + problem);
          }
        }
      }
    } catch (NoSuchFileException e) {
      throw new JembedException("STS file not found: " + file, e);
    } catch (CharacterCodingException e) {
      throw new JembedException(
          "'" + file + "' is not a UTF-8 text file (line " + (lineNo + 1) + ")", e);
    } catch (IOException e) {
      throw new JembedException("cannot read '" + file + "': " + e.getMessage(), e);
    }
    if (badCount > 0) {
      throw new JembedException(
          "'"
              + file
              + "' has "
              + badCount
              + " bad row"
              + (badCount == 1 ? "" : "s")
              + " (STS format: tab-separated, gold score in column 5, sentences in 6 and 7): "
              + String.join("; ", bad)
              + (badCount > bad.size() ? "; ..." : ""));
    }
    if (pairs.isEmpty()) {
      throw new JembedException("'" + file + "' holds no sentence pairs");
    }
    return List.copyOf(pairs);
  }
}
