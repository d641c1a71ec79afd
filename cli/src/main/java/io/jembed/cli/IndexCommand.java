package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.ConsoleProgressBar;
import io.jembed.EmbeddingModel;
import io.jembed.index.Document;
import io.jembed.index.Filter;
import io.jembed.index.IndexMetadata;
import io.jembed.index.IndexOptions;
import io.jembed.index.Quantization;
import io.jembed.index.SearchHit;
import io.jembed.index.SearchMode;
import io.jembed.index.SearchRequest;
import io.jembed.index.StoreLocation;
import io.jembed.index.VectorStore;
import io.jembed.index.VectorStores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jembed index}: a persistent vector index: create, add, delete, search ({@link
 * IndexAdminCommands}: stats, reindex, copy, check). An index is at a LOCATION: a folder (the
 * embedded Lucene index), postgresql://... or opensearch://.... It remembers its model, so --model
 * is only given at create and reindex.
 */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = {
      "A persistent vector index: vector (HNSW), keyword (BM25) and hybrid search with metadata"
          + " filters. Survives crashes; searchable while another process adds.",
      "LOCATION is a folder (the embedded Lucene index),"
          + " postgresql://[user@]host:port/database?table=name or opensearch://host:port/index.",
      "Subcommands: create, add, delete, search, stats, reindex, copy, check."
    },
    subcommands = {
      IndexCommand.Create.class,
      IndexCommand.Add.class,
      IndexCommand.Delete.class,
      IndexCommand.Search.class,
      IndexAdminCommands.Stats.class,
      IndexAdminCommands.Reindex.class,
      IndexAdminCommands.Copy.class,
      IndexAdminCommands.Check.class
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
    throw new UsageException(
        "missing subcommand: create, add, delete, search, stats, reindex, copy or check");
  }

  /** Loads the model the index was built with. */
  static EmbeddingModel indexModel(IndexMetadata meta) {
    return EmbeddingModel.load(meta.modelName());
  }

  /** The location as written: a bad one is a usage error. */
  static StoreLocation location(String text) {
    return usage(() -> StoreLocation.parse(text));
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
      description = "Creates an empty index at LOCATION for a model.")
  static final class Create implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "LOCATION",
        description = "A new (or empty) folder, or a table or index that does not exist yet.")
    String location;

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
      StoreLocation where = location(location);
      try (EmbeddingModel model = modelOptions.open();
          VectorStore index = VectorStores.create(where, model, options)) {
        IndexMetadata m = index.metadata();
        spec.commandLine()
            .getOut()
            .printf(
                Locale.ROOT,
                "created index %s for %s (%d-d, %s, chunks of %d tokens)%n",
                where,
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
        "Adds documents to the index at LOCATION (an existing id is replaced), then commits.",
        "INPUT is a JSON Lines file ({\"id\", \"text\", \"metadata\": {...}, \"vector\": [...]}),"
            + " a folder (every .txt and .md file under it is a document, its relative path the"
            + " id), or any other text file (one document; with --lines, one per line)."
      })
  static final class Add implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCATION", description = "The index.")
    String location;

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
      StoreLocation where = location(location);
      List<Document> docs = new ArrayList<>();
      IndexInputs reader = new IndexInputs(lines, dateFields);
      for (Path input : inputs) {
        reader.read(input, docs);
      }
      Set<String> ids = new HashSet<>();
      List<Document> unique = new ArrayList<>();
      // the last occurrence of an id wins, as successive adds would
      for (int i = docs.size() - 1; i >= 0; i--) {
        if (ids.add(docs.get(i).id())) {
          unique.add(0, docs.get(i));
        }
      }
      IndexMetadata meta = VectorStores.describe(where);
      long total;
      try (EmbeddingModel model = indexModel(meta);
          VectorStore index = VectorStores.open(where, model)) {
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
              where,
              total);
      return JembedCli.OK;
    }
  }

  // ------------------------------------------------------------------------------------ delete

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Deletes documents by id from the index at LOCATION, then commits.")
  static final class Delete implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCATION", description = "The index.")
    String location;

    @Option(
        names = "--id",
        required = true,
        paramLabel = "ID",
        description = "A document id (repeatable).")
    List<String> ids;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      StoreLocation where = location(location);
      IndexMetadata meta = VectorStores.describe(where);
      try (EmbeddingModel model = indexModel(meta);
          VectorStore index = VectorStores.open(where, model)) {
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
                where,
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
          "Searches the index at LOCATION (read-only: works while another process adds"
              + " documents).")
  static final class Search implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCATION", description = "The index.")
    String location;

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
        description = {
          "A metadata condition (repeatable; all must hold): lang == 'en',"
              + " year >= 2020 AND (tags IN ['a', 'b'] OR draft IS NULL), NOT (lang = de).",
          "Operators: == (or =), !=, >, >=, <, <=, IN [...], NOT IN [...], IS NULL,"
              + " IS NOT NULL, CONTAINS 'text'; AND, OR, NOT, parentheses."
        })
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
      StoreLocation where = location(location);
      IndexMetadata meta = VectorStores.describe(where);
      boolean needsModel = request.mode() != SearchMode.KEYWORD;
      List<SearchHit> hits;
      try (EmbeddingModel model = needsModel ? indexModel(meta) : null;
          VectorStore index = VectorStores.openReadOnly(where, model)) {
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
}
