package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.ConsoleProgressBar;
import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.IndexStats;
import io.jembed.index.Quantization;
import io.jembed.index.StoreCheck;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jembed index stats, reindex, copy, check}: what an index is, and its upkeep. */
final class IndexAdminCommands {
  private IndexAdminCommands() {}

  // ------------------------------------------------------------------------------------- stats

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description = "What the index at LOCATION holds: model, documents, chunks, size by part.")
  static final class Stats implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCATION", description = "The index.")
    String location;

    @Option(
        names = "--format",
        paramLabel = "FMT",
        defaultValue = "text",
        description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      boolean json = Json.requested(format);
      StoreLocation where = IndexCommand.location(location);
      IndexStats s;
      IndexMetadata m;
      try (VectorStore index = VectorStores.openReadOnly(where, null)) {
        s = index.stats();
        m = index.metadata();
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectNode o = Json.object();
        o.put("path", where.toString());
        o.put("model", m.modelName());
        o.put("identity", m.model().identity());
        o.put("dimension", m.model().dimension());
        o.put("quantization", m.quantization().externalName());
        o.put("documents", s.documents());
        o.put("chunks", s.chunks());
        o.put("deletedChunks", s.deletedChunks());
        o.put("segments", s.segments());
        o.put("bytesOnDisk", s.bytesOnDisk());
        ObjectNode parts = o.putObject("bytesByPart");
        s.bytesByPart().forEach(parts::put);
        ObjectNode fields = o.putObject("fields");
        m.fields().forEach((k, v) -> fields.put(k, v.externalName()));
        Json.print(out, o);
        return JembedCli.OK;
      }
      out.printf(Locale.ROOT, "index         %s%n", where);
      out.printf(Locale.ROOT, "model         %s [%s]%n", m.modelName(), m.model().identity());
      out.printf(
          Locale.ROOT,
          "vectors       %d-d, %s, HNSW M=%d beam=%d%n",
          m.model().dimension(),
          m.quantization().externalName(),
          m.hnswM(),
          m.beamWidth());
      out.printf(Locale.ROOT, "documents     %d%n", s.documents());
      out.printf(
          Locale.ROOT,
          "chunks        %d (%d deleted, not yet merged)%n",
          s.chunks(),
          s.deletedChunks());
      if (s.segments() > 0) { // a database has none
        out.printf(Locale.ROOT, "segments      %d%n", s.segments());
      }
      out.printf(Locale.ROOT, "size on disk  %s%n", bytes(s.bytesOnDisk()));
      s.bytesByPart().forEach((part, b) -> out.printf(Locale.ROOT, "  %-28s %s%n", part, bytes(b)));
      if (!m.fields().isEmpty()) {
        StringBuilder f = new StringBuilder();
        m.fields()
            .forEach(
                (k, v) ->
                    f.append(f.isEmpty() ? "" : ", ")
                        .append(k)
                        .append(" (")
                        .append(v.externalName())
                        .append(')'));
        out.printf(Locale.ROOT, "fields        %s%n", f);
      }
      return JembedCli.OK;
    }

    static String bytes(long b) {
      if (b < 1024) {
        return b + " B";
      }
      if (b < 1024 * 1024) {
        return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
      }
      if (b < 1024L * 1024 * 1024) {
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
      }
      return String.format(Locale.ROOT, "%.2f GiB", b / (1024.0 * 1024 * 1024));
    }
  }

  // ----------------------------------------------------------------------------------- reindex

  @Command(
      name = "reindex",
      mixinStandardHelpOptions = true,
      description =
          "Re-embeds every document of the index at LOCATION with another model (texts, metadata"
              + " and settings kept), then replaces the index.")
  static final class Reindex implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCATION", description = "The index.")
    String location;

    @Mixin ModelOptions modelOptions;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      StoreLocation where = IndexCommand.location(location);
      IndexMetadata before = VectorStores.describe(where);
      long n;
      try (EmbeddingModel model = modelOptions.open();
          ConsoleProgressBar bar = new ConsoleProgressBar("re-embedding")) {
        n = VectorStores.reindex(where, model, modelOptions.model, bar);
      }
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "re-embedded %d document%s of %s: %s -> %s%n",
              n,
              n == 1 ? "" : "s",
              where,
              before.modelName(),
              modelOptions.model);
      return JembedCli.OK;
    }
  }

  // -------------------------------------------------------------------------------------- copy

  @Command(
      name = "copy",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Copies the index at SRC into a new index at DST, which may be another kind of store:"
            + " texts, metadata, chunks and vectors, without embedding anything again.",
        "The copy keeps the model, chunking and graph settings; --quantization changes how it"
            + " stores vectors."
      })
  static final class Copy implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "The index to copy.")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Where the copy goes (new).")
    String target;

    @Option(
        names = {"-q", "--quantization"},
        paramLabel = "Q",
        description = "none, int8, int4 or binary (default: the source's).")
    String quantization;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      StoreLocation from = IndexCommand.location(source);
      StoreLocation to = IndexCommand.location(target);
      IndexMetadata meta = VectorStores.describe(from);
      IndexOptions options =
          IndexCommand.usage(
              () -> {
                IndexOptions.Builder b = meta.toOptions();
                if (quantization != null) {
                  b.quantization(Quantization.parse(quantization));
                }
                return b.build();
              });
      long n;
      try (ConsoleProgressBar bar = new ConsoleProgressBar("copying")) {
        n = VectorStores.copy(from, to, options, bar);
      }
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "copied %d document%s from %s to %s (%s, nothing re-embedded)%n",
              n,
              n == 1 ? "" : "s",
              from,
              to,
              options.quantization().externalName());
      return JembedCli.OK;
    }
  }

  // ------------------------------------------------------------------------------------- check

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Verifies the whole index at LOCATION: for a folder, every file's checksum and structure"
            + " (Lucene's CheckIndex); then every document and vector, read back.",
        "Exit code 0 when sound, 1 when damaged (each problem names the file)."
      })
  static final class Check implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCATION", description = "The index.")
    String location;

    @Option(
        names = "--format",
        paramLabel = "FMT",
        defaultValue = "text",
        description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      boolean json = Json.requested(format);
      StoreLocation where = IndexCommand.location(location);
      StoreCheck check = VectorStores.check(where);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectNode o = Json.object();
        o.put("path", where.toString());
        o.put("ok", check.ok());
        o.put("documents", check.documents());
        o.put("chunks", check.chunks());
        ArrayNode problems = o.putArray("problems");
        check.problems().forEach(problems::add);
        Json.print(out, o);
      } else if (check.ok()) {
        out.printf(
            Locale.ROOT,
            "ok: %s holds %d documents in %d chunks, every one read back%n",
            where,
            check.documents(),
            check.chunks());
      } else {
        check.problems().forEach(p -> out.println("damaged: " + p));
      }
      out.flush();
      if (!check.ok()) {
        throw new JembedException(
            "index at "
                + where
                + " is damaged ("
                + check.problems().size()
                + " problem"
                + (check.problems().size() == 1 ? "" : "s")
                + "): restore it from a backup, or rebuild it from its stored texts with `jembed"
                + " index reindex "
                + where
                + " --model NAME`");
      }
      return JembedCli.OK;
    }
  }
}
