package io.jembed.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
