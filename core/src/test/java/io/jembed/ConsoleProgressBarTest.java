package io.jembed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConsoleProgressBarTest {
  @Test
  void aTerminalGetsOneLineRedrawnInPlace() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ConsoleProgressBar bar =
        new ConsoleProgressBar("Batches", new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
      for (int i = 1; i <= 1000; i++) {
        bar.progress(i, 1000);
      }
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out).startsWith("\rBatches ").contains("1000/1000").endsWith(System.lineSeparator());
    // one line: each redraw returns to its start
    assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
  }

  @Test
  void aLogFileGetsPlainLinesNotAFloodOfRedraws() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ConsoleProgressBar bar =
        new ConsoleProgressBar(
            "Batches", new PrintStream(bytes, true, StandardCharsets.UTF_8), false)) {
      for (int i = 1; i <= 100_000; i++) {
        bar.progress(i, 100_000);
      }
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    // a fast run prints just its final state, without carriage returns
    assertThat(out).doesNotContain("\r");
    assertThat(out.lines().toList()).hasSize(1);
    assertThat(out).startsWith("Batches 100% |").contains("100000/100000");
  }
}
