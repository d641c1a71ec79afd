package io.jembed.fidelity;

import java.nio.file.Files;
import java.nio.file.Path;

/** ../shared beside the project root (set by surefire as jembed.shared.dir). */
final class Shared {
  private Shared() {}

  static Path data(String file) {
    Path dir = Path.of(System.getProperty("jembed.shared.dir", "../../shared"));
    Path p = dir.resolve("data").resolve(file);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(
          "missing " + p.toAbsolutePath() + ": ../shared must sit beside the project root");
    }
    return p;
  }
}
