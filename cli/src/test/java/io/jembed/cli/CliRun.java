package io.jembed.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One run of the command line with captured output, for the toolkit command tests. */
record CliRun(int exitCode, String out, String err) {
  static CliRun of(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    // picocli's default execution strategy re-points getOut() at the System.out it saw when the
    // command line was built; make that our stream too (see the report on JembedCli.run)
    PrintStream previous = System.out;
    int code;
    System.setOut(outStream);
    try {
      code = JembedCli.run(args, outStream, errStream);
    } finally {
      System.setOut(previous);
    }
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
