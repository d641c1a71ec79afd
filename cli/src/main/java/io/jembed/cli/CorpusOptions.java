package io.jembed.cli;

import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.SimilarityFunction;
import io.jembed.toolkit.AtomicFiles;
import io.jembed.toolkit.Corpus;
import io.jembed.toolkit.CorpusCache;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * Options shared by the commands that embed a corpus file (search, mine, cluster): caching, batch
 * size, similarity, output format and file.
 */
public final class CorpusOptions {
  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "Keep corpus embeddings under DIR (default: .<corpus>.jembed-cache/ beside the corpus).")
  Path cacheDir;

  @Option(names = "--no-cache", description = "Neither read nor write cached corpus embeddings.")
  boolean noCache;

  @Option(
      names = {"-b", "--batch-size"},
      paramLabel = "N",
      defaultValue = "32",
      description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--similarity",
      paramLabel = "FN",
      description = "cosine, dot, euclidean or manhattan (default: the model's own).")
  String similarity;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the results to FILE (atomically) instead of stdout.")
  Path output;

  boolean json() {
    return switch (format.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "json" -> true;
      case "text" -> false;
      default -> throw new UsageException("unknown format '" + format + "': expected text or json");
    };
  }

  void validate() {
    json();
    if (batchSize < 1) {
      throw new UsageException("--batch-size must be at least 1, got " + batchSize);
    }
    if (similarity != null) {
      similarity(null);
    }
  }

  SimilarityFunction similarity(EmbeddingModel model) {
    if (similarity == null) {
      return model.similarityFunction();
    }
    try {
      return SimilarityFunction.parse(similarity);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  EncodeOptions encodeOptions() {
    return EncodeOptions.builder().batchSize(batchSize).showProgressBar(true).build();
  }

  /** The cache for this corpus, or null with --no-cache. */
  CorpusCache cache(Corpus corpus) {
    if (noCache) {
      return null;
    }
    return cacheDir == null
        ? CorpusCache.beside(corpus.source())
        : CorpusCache.in(cacheDir, corpus.source());
  }

  static Consumer<String> messages(CommandSpec spec) {
    PrintWriter err = spec.commandLine().getErr();
    return m -> {
      err.println("jembed: " + m);
      err.flush();
    };
  }

  /** Prints what {@code writer} writes to stdout, or writes it to --output all at once. */
  void emit(CommandSpec spec, Consumer<PrintWriter> writer) {
    if (output == null) {
      PrintWriter out = spec.commandLine().getOut();
      writer.accept(out);
      out.flush();
      return;
    }
    StringWriter buffer = new StringWriter();
    PrintWriter pw = new PrintWriter(buffer);
    writer.accept(pw);
    pw.flush();
    byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(output, out -> out.write(bytes));
  }
}
