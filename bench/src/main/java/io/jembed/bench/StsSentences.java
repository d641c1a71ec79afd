package io.jembed.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/** The benchmark corpus: both sentence columns of ../shared/data/sts-test.csv, in file order. */
final class StsSentences {
  private StsSentences() {}

  static Path defaultSharedDir() {
    String prop = System.getProperty("jembed.shared.dir");
    return prop != null ? Path.of(prop) : Path.of("..", "shared");
  }

  /** Sentence 1 and sentence 2 of every row (columns 6 and 7 of the tab-separated file). */
  static List<String> testSentences(Path sharedDir) {
    Path file = sharedDir.resolve("data").resolve("sts-test.csv");
    try {
      List<String> out = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] cols = line.split("\t", -1);
        if (cols.length >= 7) {
          out.add(cols[5]);
          out.add(cols[6]);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + " (pass --shared DIR)", e);
    }
  }

  /**
   * Up to {@code count} passages of 200-256 tokens: consecutive sentences joined until they reach
   * 200 tokens; a join that overshoots 256 is dropped and the next passage starts afresh.
   */
  static List<String> longPassages(
      List<String> sentences, ToIntFunction<String> countTokens, int count) {
    return longPassages(sentences, countTokens, count, 200, 256);
  }

  /**
   * Up to {@code count} passages of {@code minTokens}-{@code maxTokens} tokens: consecutive
   * sentences joined until they reach {@code minTokens}; a join that overshoots {@code maxTokens}
   * is dropped and the next passage starts afresh.
   */
  static List<String> longPassages(
      List<String> sentences,
      ToIntFunction<String> countTokens,
      int count,
      int minTokens,
      int maxTokens) {
    List<String> out = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    for (String s : sentences) {
      sb.append(sb.isEmpty() ? "" : " ").append(s);
      int tokens = countTokens.applyAsInt(sb.toString());
      if (tokens >= minTokens) {
        if (tokens <= maxTokens) {
          out.add(sb.toString());
        }
        sb.setLength(0);
        if (out.size() == count) {
          break;
        }
      }
    }
    return out;
  }
}
