package io.jembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.ConsoleProgressBar;
import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import io.jembed.index.Document;
import io.jembed.index.Filter;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.IndexStats;
import io.jembed.index.LuceneVectorStore;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchMode;
import io.jembed.index.SearchRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jembed index}: a persistent vector index on disk (Apache Lucene): create, add, delete,
 * search, stats, reindex. The index remembers its model, so --model is only given at create and
 * reindex.
 */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = {
      "A persistent vector index in a folder: vector (HNSW), keyword (BM25) and hybrid search"
          + " with metadata filters. Survives crashes; searchable while another process adds.",
      "Subcommands: create, add, delete, search, stats, reindex."
    },
    subcommands = {
      IndexCommand.Create.class,
      IndexCommand.Add.class,
      IndexCommand.Delete.class,
      IndexCommand.Search.class,
      IndexCommand.Stats.class,
      IndexCommand.Reindex.class
    })
public final class IndexCommand implements Callable<Integer> {
  // held strongly: java.util.logging forgets the level of loggers nobody references
  private static final java.util.logging.Logger LUCENE_VECTORIZATION =
      java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public IndexCommand() {
    // Lucene warns on every run without --add-modules jdk.incubator.vector (docs/index.md says how
    // to enable it); keep the hint for --verbose only
    if (!java.util.logging.Logger.getLogger("").isLoggable(java.util.logging.Level.FINE)) {
      LUCENE_VECTORIZATION.setLevel(java.util.logging.Level.SEVERE);
    }
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new UsageException("missing subcommand: create, add, delete, search, stats or reindex");
  }

  /** Loads the model the index was built with. */
  static EmbeddingModel indexModel(IndexMetadata meta) {
    return EmbeddingModel.load(meta.modelName());
  }

  static <T> T usage(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  // ------------------------------------------------------------------------------------ create

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = "Creates an empty index in DIR for a model.")
  static final class Create implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "A new (or empty) folder.")
    Path dir;

    @Option(
        names = {"-q", "--quantization"},
        paramLabel = "Q",
        defaultValue = "int8",
        description = "none, int8, int4 or binary (default: ${DEFAULT-VALUE}).")
    String quantization;

    @Option(
        names = "--max-tokens",
        paramLabel = "N",
        description = "Chunk budget in tokens (default: the model's max_seq_length).")
    Integer maxTokens;

    @Option(
        names = "--overlap",
        paramLabel = "N",
        defaultValue = "0",
        description = "Tokens repeated between neighbouring chunks (default: ${DEFAULT-VALUE}).")
    int overlap;

    @Option(
        names = "--hnsw-m",
        paramLabel = "M",
        defaultValue = "16",
        description = "Graph neighbours per node (default: ${DEFAULT-VALUE}).")
    int hnswM;

    @Option(
        names = "--beam-width",
        paramLabel = "N",
        defaultValue = "100",
        description =
            "Candidates considered when inserting (efConstruction, default: ${DEFAULT-VALUE}).")
    int beamWidth;

    @Mixin ModelOptions modelOptions;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IndexOptions options =
          usage(
              () ->
                  IndexOptions.builder()
                      .quantization(Quantization.parse(quantization))
                      .maxTokens(maxTokens)
                      .overlapTokens(overlap)
                      .hnswM(hnswM)
                      .beamWidth(beamWidth)
                      .modelName(
                          modelOptions.revision == null
                              ? modelOptions.model
                              : modelOptions.model + "@" + modelOptions.revision)
                      .build());
      try (EmbeddingModel model = modelOptions.open();
          LuceneVectorStore index = LuceneVectorStore.create(dir, model, options)) {
        IndexMetadata m = index.metadata();
        spec.commandLine()
            .getOut()
            .printf(
                Locale.ROOT,
                "created index %s for %s (%d-d, %s, chunks of %d tokens)%n",
                dir,
                m.model().id(),
                m.model().dimension(),
                m.quantization().externalName(),
                m.maxTokens());
      }
      return JembedCli.OK;
    }
  }

  // --------------------------------------------------------------------------------------- add

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Adds documents to the index in DIR (an existing id is replaced), then commits.",
        "INPUT is a JSON Lines file ({\"id\", \"text\", \"metadata\": {...}, \"vector\": [...]}),"
            + " a folder (every .txt and .md file under it is a document, its relative path the"
            + " id), or any other text file (one document; with --lines, one per line)."
      })
  static final class Add implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The index folder.")
    Path dir;

    @Parameters(
        index = "1..*",
        arity = "1..*",
        paramLabel = "INPUT",
        description = "Files or folders.")
    List<Path> inputs;

    @Option(
        names = "--lines",
        description = "A text file holds one document per line (id: file name and line number).")
    boolean lines;

    @Option(
        names = "--date-field",
        paramLabel = "FIELD",
        description = "A JSONL metadata field holding ISO dates, indexed as dates (repeatable).")
    List<String> dateFields = new ArrayList<>();

    @Option(
        names = "--batch-size",
        paramLabel = "N",
        defaultValue = "64",
        description = "Documents embedded per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
        names = "--commit-every",
        paramLabel = "N",
        defaultValue = "10000",
        description =
            "Commit after this many documents, so a crash loses little (default: ${DEFAULT-VALUE}).")
    int commitEvery;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (batchSize < 1 || commitEvery < 1) {
        throw new UsageException("--batch-size and --commit-every must be at least 1");
      }
      List<Document> docs = new ArrayList<>();
      for (Path input : inputs) {
        read(input, docs);
      }
      Set<String> ids = new HashSet<>();
      List<Document> unique = new ArrayList<>();
      // the last occurrence of an id wins, as successive adds would
      for (int i = docs.size() - 1; i >= 0; i--) {
        if (ids.add(docs.get(i).id())) {
          unique.add(0, docs.get(i));
        }
      }
      IndexMetadata meta = LuceneVectorStore.readMetadata(dir);
      long total;
      try (EmbeddingModel model = indexModel(meta);
          LuceneVectorStore index = LuceneVectorStore.open(dir, model)) {
        ConsoleProgressBar bar = new ConsoleProgressBar("indexing");
        try {
          long sinceCommit = 0;
          for (int i = 0; i < unique.size(); i += batchSize) {
            List<Document> batch = unique.subList(i, Math.min(unique.size(), i + batchSize));
            index.upsert(batch);
            sinceCommit += batch.size();
            if (sinceCommit >= commitEvery) {
              index.commit(); // a crash from here on loses at most --commit-every documents
              sinceCommit = 0;
            }
            bar.progress(Math.min(unique.size(), i + batchSize), unique.size());
          }
          total = index.commit();
        } finally {
          bar.close();
        }
      }
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "added %d document%s to %s; it holds %d%n",
              unique.size(),
              unique.size() == 1 ? "" : "s",
              dir,
              total);
      return JembedCli.OK;
    }

    private void read(Path input, List<Document> docs) {
      if (!Files.exists(input)) {
        throw new UsageException("no such file or folder: " + input);
      }
      try {
        if (Files.isDirectory(input)) {
          try (Stream<Path> walk = Files.walk(input)) {
            for (Path f :
                walk.filter(Files::isRegularFile)
                    .filter(
                        p -> {
                          String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                          return n.endsWith(".txt") || n.endsWith(".md");
                        })
                    .sorted()
                    .toList()) {
              String id = input.relativize(f).toString().replace('\\', '/');
              docs.add(
                  Document.builder(id)
                      .text(Files.readString(f, StandardCharsets.UTF_8))
                      .metadata("path", id)
                      .metadata("modified", Files.getLastModifiedTime(f).toInstant())
                      .build());
            }
          }
          return;
        }
        String name = input.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
          readJsonl(input, docs);
        } else if (lines) {
          List<String> all = Files.readAllLines(input, StandardCharsets.UTF_8);
          for (int i = 0; i < all.size(); i++) {
            if (!all.get(i).isBlank()) {
              docs.add(Document.of(name + ":" + (i + 1), all.get(i)));
            }
          }
        } else {
          docs.add(Document.of(name, Files.readString(input, StandardCharsets.UTF_8)));
        }
      } catch (java.nio.charset.MalformedInputException e) {
        throw new JembedException(input + " is not UTF-8 text");
      } catch (IOException e) {
        throw new JembedException("cannot read " + input + ": " + e.getMessage(), e);
      }
    }

    private void readJsonl(Path input, List<Document> docs) throws IOException {
      try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
          n++;
          if (line.isBlank()) {
            continue;
          }
          String where = input + " line " + n;
          JsonNode o;
          try {
            o = Json.MAPPER.readTree(line);
          } catch (IOException e) {
            throw new JembedException(where + " is not valid JSON");
          }
          if (o == null || !o.isObject()) {
            throw new JembedException(where + " is not a JSON object");
          }
          JsonNode id = o.get("id");
          JsonNode text = o.get("text");
          if (id == null || id.isNull() || id.asText().isBlank()) {
            throw new JembedException(where + " has no \"id\"");
          }
          if ((text == null || !text.isTextual()) && !o.has("vector")) {
            throw new JembedException(where + " has no \"text\" string");
          }
          try {
            Document.Builder b =
                Document.builder(id.asText()).text(text == null ? "" : text.asText());
            JsonNode meta = o.get("metadata");
            if (meta != null && !meta.isNull()) {
              if (!meta.isObject()) {
                throw new JembedException(where + ": \"metadata\" must be an object");
              }
              for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                b.metadata(e.getKey(), metadataValue(e.getKey(), e.getValue(), where));
              }
            }
            JsonNode vector = o.get("vector");
            if (vector != null && !vector.isNull()) {
              if (!vector.isArray() || vector.isEmpty()) {
                throw new JembedException(where + ": \"vector\" must be an array of numbers");
              }
              float[] v = new float[vector.size()];
              for (int i = 0; i < v.length; i++) {
                if (!vector.get(i).isNumber()) {
                  throw new JembedException(where + ": \"vector\" must be an array of numbers");
                }
                v[i] = (float) vector.get(i).asDouble();
              }
              b.vector(v);
            }
            docs.add(b.build());
          } catch (IllegalArgumentException e) {
            throw new JembedException(where + ": " + e.getMessage(), e);
          }
        }
      }
    }

    private Object metadataValue(String field, JsonNode v, String where) {
      if (v.isNumber()) {
        return v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble();
      }
      if (v.isTextual()) {
        if (dateFields.contains(field)) {
          String s = v.asText().trim();
          try {
            return LocalDate.parse(s);
          } catch (DateTimeParseException e) {
            try {
              return Instant.parse(s);
            } catch (DateTimeParseException e2) {
              throw new JembedException(
                  where + ": metadata '" + field + "' is not an ISO date: " + s);
            }
          }
        }
        return v.asText();
      }
      if (v.isBoolean()) {
        return v.asText();
      }
      if (v.isArray()) {
        List<String> values = new ArrayList<>();
        v.forEach(x -> values.add(x.asText()));
        return values;
      }
      throw new JembedException(
          where + ": metadata '" + field + "' must be a string, number or list of strings");
    }
  }

  // ------------------------------------------------------------------------------------ delete

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Deletes documents by id from the index in DIR, then commits.")
  static final class Delete implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The index folder.")
    Path dir;

    @Option(
        names = "--id",
        required = true,
        paramLabel = "ID",
        description = "A document id (repeatable).")
    List<String> ids;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IndexMetadata meta = LuceneVectorStore.readMetadata(dir);
      try (EmbeddingModel model = indexModel(meta);
          LuceneVectorStore index = LuceneVectorStore.open(dir, model)) {
        int found = 0;
        for (String id : ids) {
          found += index.contains(id) ? 1 : 0;
        }
        index.delete(ids);
        long total = index.commit();
        spec.commandLine()
            .getOut()
            .printf(
                Locale.ROOT,
                "deleted %d of %d id%s (%d not found); %s holds %d%n",
                found,
                ids.size(),
                ids.size() == 1 ? "" : "s",
                ids.size() - found,
                dir,
                total);
      }
      return JembedCli.OK;
    }
  }

  // ------------------------------------------------------------------------------------ search

  @Command(
      name = "search",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Searches the index in DIR (read-only: works while another process adds documents).")
  static final class Search implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The index folder.")
    Path dir;

    @Option(
        names = {"-q", "--query"},
        required = true,
        paramLabel = "TEXT",
        description = "The query.")
    String query;

    @Option(
        names = {"-k", "--top-k"},
        paramLabel = "N",
        defaultValue = "10",
        description = "Hits to return (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(
        names = "--mode",
        paramLabel = "MODE",
        defaultValue = "vector",
        description = "vector, keyword or hybrid (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(
        names = {"-f", "--filter"},
        paramLabel = "EXPR",
        description = "field=value, field>=value, field<value ... (repeatable; all must hold).")
    List<String> filters = new ArrayList<>();

    @Option(
        names = "--weights",
        paramLabel = "V,K",
        description = "Hybrid weights of the vector and keyword rankings (default: 1,1).")
    String weights;

    @Option(names = "--rescore", description = "Re-score candidates with the full float vectors.")
    boolean rescore;

    @Option(
        names = "--candidates",
        paramLabel = "N",
        defaultValue = "0",
        description = "Graph candidates per search (HNSW ef; default: max(100, k)).")
    int candidates;

    @Option(names = "--chunks", description = "One hit per chunk instead of per document.")
    boolean chunks;

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
      SearchRequest request =
          usage(
              () -> {
                SearchRequest.Builder b =
                    SearchRequest.builder()
                        .query(query)
                        .k(k)
                        .mode(SearchMode.parse(mode))
                        .rescore(rescore)
                        .numCandidates(candidates)
                        .groupByDocument(!chunks);
                for (String f : filters) {
                  b.filter(Filter.parse(f));
                }
                if (weights != null) {
                  String[] w = weights.split(",");
                  if (w.length != 2) {
                    throw new IllegalArgumentException(
                        "--weights takes two numbers, vector and keyword: 1,0.5");
                  }
                  b.weights(Double.parseDouble(w[0].trim()), Double.parseDouble(w[1].trim()));
                }
                return b.build();
              });
      IndexMetadata meta = LuceneVectorStore.readMetadata(dir);
      boolean needsModel = request.mode() != SearchMode.KEYWORD;
      List<SearchHit> hits;
      try (EmbeddingModel model = needsModel ? indexModel(meta) : null;
          LuceneVectorStore index = LuceneVectorStore.openReadOnly(dir, model)) {
        hits = usage(() -> index.search(request));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        int rank = 1;
        for (SearchHit h : hits) {
          ObjectNode o = array.addObject();
          o.put("rank", rank++);
          o.put("id", h.id());
          o.put("score", h.score());
          o.put("text", h.text());
          o.put("chunk", h.chunk());
          o.put("start", h.start());
          o.put("end", h.end());
          o.set("metadata", Json.MAPPER.valueToTree(h.metadata()));
        }
        Json.print(out, array);
        return JembedCli.OK;
      }
      if (hits.isEmpty()) {
        out.println("no hits");
      }
      int rank = 1;
      for (SearchHit h : hits) {
        out.printf(
            Locale.ROOT,
            "%2d. %-8.4f %s%s  %s%n",
            rank++,
            h.score(),
            h.id(),
            h.chunk() > 0 || chunks ? " #" + h.chunk() : "",
            TextInput.label(h.text(), 100));
      }
      return JembedCli.OK;
    }
  }

  // ------------------------------------------------------------------------------------- stats

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description = "What the index in DIR holds: model, documents, chunks, size on disk by part.")
  static final class Stats implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The index folder.")
    Path dir;

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
      IndexStats s;
      IndexMetadata m;
      try (LuceneVectorStore index = LuceneVectorStore.openReadOnly(dir, null)) {
        s = index.stats();
        m = index.metadata();
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectNode o = Json.object();
        o.put("path", dir.toString());
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
        m.fields().forEach((k, v) -> fields.put(k, v.name().toLowerCase(Locale.ROOT)));
        Json.print(out, o);
        return JembedCli.OK;
      }
      out.printf(Locale.ROOT, "index         %s%n", dir);
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
      out.printf(Locale.ROOT, "segments      %d%n", s.segments());
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
                        .append(v.name().toLowerCase(Locale.ROOT))
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
          "Re-embeds every document of the index in DIR with another model (texts, metadata and"
              + " settings kept), then replaces the index.")
  static final class Reindex implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "The index folder.")
    Path dir;

    @Mixin ModelOptions modelOptions;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      IndexMetadata before = LuceneVectorStore.readMetadata(dir);
      long n;
      try (EmbeddingModel model = modelOptions.open();
          ConsoleProgressBar bar = new ConsoleProgressBar("re-embedding")) {
        n = LuceneVectorStore.reindex(dir, model, modelOptions.model, bar);
      }
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "re-embedded %d document%s of %s: %s -> %s%n",
              n,
              n == 1 ? "" : "s",
              dir,
              before.modelName(),
              modelOptions.model);
      return JembedCli.OK;
    }
  }
}
