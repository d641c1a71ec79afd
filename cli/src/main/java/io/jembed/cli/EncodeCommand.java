package io.jembed.cli;

import io.jembed.ConsoleProgressBar;
import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.Precision;
import io.jembed.engine.Pipeline;
import io.jembed.toolkit.io.EmbeddingFileWriter;
import io.jembed.toolkit.io.EmbeddingFiles;
import io.jembed.toolkit.io.EmbeddingFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jembed encode}: texts to vectors, like {@code model.encode(sentences)}. */
@Command(
    name = "encode",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Encode texts into embeddings: given as arguments, one per line from --input, or from stdin.",
      "Writes JSON to stdout by default; --output FILE picks the format from its extension"
          + " (.json, .jsonl, .csv, .npy). The model is recorded in .json files and in a"
          + " <file>.json sidecar beside .npy, .jsonl and .csv files."
    })
public final class EncodeCommand implements Callable<Integer> {
  /** Inputs longer than this many batches draw a progress bar. */
  static final int PROGRESS_BATCHES = 4;

  @Mixin ModelOptions modelOptions;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description =
          "Read texts from FILE, one per line (\"-\" for stdin); blank lines are skipped.")
  String input;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE (atomically) instead of stdout.")
  Path output;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "FORMAT",
      description = "json, jsonl, csv or npy (default: from --output's extension, else json).")
  String format;

  @Option(
      names = {"-b", "--batch-size"},
      paramLabel = "N",
      defaultValue = "32",
      description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--no-normalize",
      description = "Keep the raw pooled vectors even when the model normalizes them.")
  boolean noNormalize;

  @Option(
      names = "--normalize",
      description = "Always return unit-length vectors, even when the model does not.")
  boolean normalize;

  @Option(
      names = "--truncate-dim",
      paramLabel = "N",
      description = "Keep only the first N dimensions (Matryoshka models).")
  Integer truncateDim;

  @Option(
      names = {"-p", "--precision"},
      paramLabel = "P",
      defaultValue = "float32",
      description = "float32, int8, uint8, binary or ubinary (default: ${DEFAULT-VALUE}).")
  String precision;

  @Option(
      names = "--prompt-name",
      paramLabel = "NAME",
      description = "Prepend the model's prompt of this name (\"query\", \"document\" ...).")
  String promptName;

  @Option(
      names = "--prompt",
      paramLabel = "TEXT",
      description = "Prepend this literal prompt to every text (wins over --prompt-name).")
  String prompt;

  @Option(names = "--no-texts", description = "Leave the texts out of json, jsonl and csv output.")
  boolean noTexts;

  @Option(names = "--no-progress", description = "Never draw a progress bar.")
  boolean noProgress;

  @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to encode.")
  List<String> texts;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    EmbeddingFormat fmt = chooseFormat();
    Precision prec = parsePrecision();
    EncodeOptions options = encodeOptions(prec);
    if (fmt == EmbeddingFormat.NPY && output == null) {
      throw new UsageException("npy is a binary format: write it to a file with --output FILE.npy");
    }
    boolean haveTexts = texts != null && !texts.isEmpty();
    if (haveTexts && input != null) {
      throw new UsageException("give texts as arguments or --input FILE, not both");
    }
    if (!haveTexts && input == null && System.console() != null) {
      throw new UsageException(
          "nothing to encode: give texts as arguments, --input FILE, or pipe them on stdin");
    }
    if (!haveTexts && fmt != EmbeddingFormat.JSON) {
      return encodeStream(err, fmt, options);
    }
    List<String> inputs = haveTexts ? arguments() : readAll(err);
    try (EmbeddingModel model = openModel()) {
      boolean progress = !noProgress && inputs.size() > PROGRESS_BATCHES * batchSize;
      Embeddings embeddings =
          model.encode(inputs, options.toBuilder().showProgressBar(progress).build());
      reportTruncated(err, model, embeddings.truncatedCount(), inputs.size());
      List<String> recordedTexts = noTexts ? null : inputs;
      if (output != null) {
        EmbeddingFiles.write(output, fmt, embeddings, recordedTexts);
        reportWritten(err, fmt, embeddings.size(), embeddings.dimension(), prec);
      } else {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        EmbeddingFiles.write(buf, fmt, embeddings, recordedTexts);
        PrintWriter out = spec.commandLine().getOut();
        out.print(buf.toString(StandardCharsets.UTF_8));
        out.flush();
      }
      err.flush();
    }
    return JembedCli.OK;
  }

  /**
   * Texts from a file or stdin to .npy, .jsonl or .csv, a group of texts at a time: read, encode,
   * write, so memory stays flat however long the input. A regular file is read twice, first to
   * check and count it: a bad line fails before any encoding and the progress bar knows the total.
   */
  private int encodeStream(PrintWriter err, EmbeddingFormat fmt, EncodeOptions options) {
    long total = -1;
    TextInput.LineReader lines = TextInput.LineReader.open(input, System.in);
    if (lines.regularFile()) {
      total = countTexts(err, lines);
      lines = TextInput.LineReader.open(input, System.in);
    }
    // pieces as large as the engine's groups: every text meets the batch it would in one call
    int chunk = Pipeline.textsPerGroup(batchSize);
    try (TextInput.LineReader in = lines) {
      List<String> first = in.next(chunk);
      checkNotEmpty(first.size(), in);
      try (EmbeddingModel model = openModel()) {
        ByteArrayOutputStream stdout = output == null ? new ByteArrayOutputStream() : null;
        try (EmbeddingFileWriter writer =
            output != null
                ? EmbeddingFileWriter.create(output, fmt, !noTexts)
                : EmbeddingFileWriter.to(stdout, fmt, !noTexts)) {
          int truncated = 0;
          int dimension = 0;
          ConsoleProgressBar bar =
              !noProgress && total > PROGRESS_BATCHES * batchSize
                  ? new ConsoleProgressBar("Batches")
                  : null;
          try {
            for (List<String> texts = first; !texts.isEmpty(); texts = in.next(chunk)) {
              if (writer.count() > 0) {
                // a group's tokens and vectors outlive the young generation, and the serial
                // collector grows the old one rather than collect it: resident memory crept up
                // 2 KB per text (towards -Xmx) with a live set of 40 MB. One full collection per
                // group of thousands of texts costs tens of milliseconds and keeps it flat.
                System.gc();
              }
              Embeddings embeddings =
                  model.encode(texts, withProgress(options, bar, writer, total));
              truncated += embeddings.truncatedCount();
              dimension = embeddings.dimension();
              writer.write(embeddings, noTexts ? null : texts);
              printStdout(stdout);
            }
          } finally {
            if (bar != null) {
              bar.close();
            }
          }
          if (total < 0) {
            reportBlankLines(err, in);
          }
          reportTruncated(err, model, truncated, in.texts());
          writer.commit();
          printStdout(stdout);
          if (output != null) {
            reportWritten(err, fmt, writer.count(), dimension, options.precision());
          }
        }
      }
    }
    err.flush();
    return JembedCli.OK;
  }

  /** One progress bar for the whole input: each piece reports from where the last one ended. */
  private static EncodeOptions withProgress(
      EncodeOptions options, ConsoleProgressBar bar, EmbeddingFileWriter writer, long total) {
    if (bar == null) {
      return options;
    }
    long offset = writer.count();
    return options.toBuilder()
        .progressListener((done, n) -> bar.progress(offset + done, total))
        .build();
  }

  /** Reads {@code lines} to the end, checking every line, and closes it: the texts counted. */
  private static long countTexts(PrintWriter err, TextInput.LineReader lines) {
    try (lines) {
      while (!lines.next(1 << 16).isEmpty()) {
        // each line is checked (UTF-8, no NUL byte) on the way
      }
      checkNotEmpty(lines.texts(), lines);
      reportBlankLines(err, lines);
      return lines.texts();
    }
  }

  private void printStdout(ByteArrayOutputStream stdout) {
    if (stdout != null && stdout.size() > 0) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(stdout.toString(StandardCharsets.UTF_8));
      out.flush();
      stdout.reset();
    }
  }

  private EmbeddingModel openModel() {
    EmbeddingModel model = modelOptions.open();
    if (truncateDim != null && truncateDim > model.dimension()) {
      model.close();
      throw new UsageException(
          "--truncate-dim "
              + truncateDim
              + " is larger than the "
              + model.dimension()
              + " dimensions of "
              + model.id());
    }
    return model;
  }

  private static void checkNotEmpty(long texts, TextInput.LineReader in) {
    if (texts == 0) {
      throw new JembedException("no texts to encode: " + in.name() + " is empty");
    }
  }

  private static void reportBlankLines(PrintWriter err, TextInput.LineReader in) {
    if (in.blankLines() > 0) {
      err.printf(Locale.ROOT, "jembed: skipped %d blank lines of %s%n", in.blankLines(), in.name());
    }
  }

  private static void reportTruncated(
      PrintWriter err, EmbeddingModel model, int truncated, int texts) {
    if (truncated > 0) {
      err.printf(
          Locale.ROOT,
          "jembed: %d of %d texts were longer than %s's max_seq_length (%d tokens) and were"
              + " truncated%n",
          truncated,
          texts,
          model.id(),
          model.maxSeqLength());
    }
  }

  private void reportWritten(
      PrintWriter err, EmbeddingFormat fmt, long count, int dimension, Precision prec) {
    err.printf(
        Locale.ROOT,
        "jembed: wrote %d embedding%s (%d-d, %s) to %s%s%n",
        count,
        count == 1 ? "" : "s",
        dimension,
        prec.externalName(),
        output,
        fmt.usesSidecar() ? " (model recorded in " + EmbeddingFiles.sidecarOf(output) + ")" : "");
  }

  private EmbeddingFormat chooseFormat() {
    if (format != null) {
      try {
        return EmbeddingFormat.parse(format);
      } catch (RuntimeException e) {
        throw new UsageException(e.getMessage());
      }
    }
    if (output != null) {
      EmbeddingFormat f = EmbeddingFormat.fromPathOrNull(output);
      if (f == null) {
        throw new UsageException(
            "cannot tell the format of '"
                + output
                + "' from its extension: use .json, .jsonl, .csv or .npy, or --format");
      }
      return f;
    }
    return EmbeddingFormat.JSON;
  }

  private Precision parsePrecision() {
    try {
      return Precision.parse(precision);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private EncodeOptions encodeOptions(Precision prec) {
    if (normalize && noNormalize) {
      throw new UsageException("--normalize and --no-normalize contradict each other");
    }
    try {
      return EncodeOptions.builder()
          .batchSize(batchSize)
          .normalize(noNormalize ? Boolean.FALSE : normalize ? Boolean.TRUE : null)
          .truncateDim(truncateDim)
          .precision(prec)
          .promptName(promptName)
          .prompt(prompt)
          .build();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private List<String> arguments() {
    for (String t : texts) {
      if (t.isBlank()) {
        throw new UsageException("an empty text was given: every TEXT must hold some words");
      }
    }
    return List.copyOf(texts);
  }

  private List<String> readAll(PrintWriter err) {
    try (TextInput.LineReader in = TextInput.LineReader.open(input, System.in)) {
      List<String> all = in.rest();
      checkNotEmpty(all.size(), in);
      reportBlankLines(err, in);
      return all;
    }
  }
}
