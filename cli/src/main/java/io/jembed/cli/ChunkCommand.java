package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.toolkit.Chunk;
import io.jembed.toolkit.Chunker;
import io.jembed.toolkit.Corpus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jembed chunk}: splits a long document into pieces that fit the model. */
@Command(
    name = "chunk",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Split a document into chunks that fit the model: on paragraphs, then sentences, then"
          + " words, within a token budget (default: the model's max_seq_length, special tokens"
          + " and prompt included). Prints each chunk with its character offsets and tokens."
    })
public final class ChunkCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The document (UTF-8 text).")
  Path file;

  @Option(
      names = "--max-tokens",
      paramLabel = "N",
      description = "Token budget per chunk (default: the model's max_seq_length).")
  Integer maxTokens;

  @Option(
      names = "--overlap",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Tokens repeated from the end of the previous chunk (default: ${DEFAULT-VALUE}).")
  int overlap;

  @Option(
      names = "--prompt",
      paramLabel = "TEXT",
      description =
          "A prompt put before each chunk when embedded (default: the model's document"
              + " prompt); counted in the budget.")
  String prompt;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text, json or jsonl (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE (atomically) instead of stdout.")
  Path output;

  @Mixin ModelOptions modelOptions;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    String fmt = format.trim().toLowerCase(Locale.ROOT);
    if (!List.of("text", "json", "jsonl").contains(fmt)) {
      throw new UsageException("unknown format '" + format + "': expected text, json or jsonl");
    }
    if (overlap < 0 || (maxTokens != null && maxTokens < 1)) {
      throw new UsageException("--max-tokens must be positive and --overlap not negative");
    }
    String text = Corpus.readText(file);
    try (EmbeddingModel model = modelOptions.open()) {
      Chunker.Builder builder = Chunker.builder().model(model).overlapTokens(overlap);
      if (maxTokens != null) {
        builder.maxTokens(maxTokens);
      }
      if (prompt != null) {
        builder.prompt(prompt);
      }
      Chunker chunker;
      try {
        chunker = builder.build();
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      List<Chunk> chunks = chunker.chunk(text);
      CorpusOptions sink = new CorpusOptions();
      sink.output = output;
      sink.emit(spec, out -> print(out, fmt, chunks));
    }
    return JembedCli.OK;
  }

  private static void print(PrintWriter out, String format, List<Chunk> chunks) {
    switch (format) {
      case "json" -> {
        ArrayNode array = Json.MAPPER.createArrayNode();
        chunks.forEach(c -> array.add(json(c)));
        Json.print(out, array);
      }
      case "jsonl" -> chunks.forEach(c -> out.println(json(c).toString()));
      default -> {
        for (Chunk c : chunks) {
          out.printf(
              Locale.ROOT,
              "--- chunk %d: chars %d-%d, %d tokens%n%s%n",
              c.index() + 1,
              c.start(),
              c.end(),
              c.tokenCount(),
              c.text());
        }
      }
    }
  }

  private static ObjectNode json(Chunk c) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("index", c.index());
    o.put("start", c.start());
    o.put("end", c.end());
    o.put("tokens", c.tokenCount());
    o.put("text", c.text());
    return o;
  }
}
