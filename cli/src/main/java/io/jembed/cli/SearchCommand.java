package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.SimilarityFunction;
import io.jembed.toolkit.Chunk;
import io.jembed.toolkit.Chunker;
import io.jembed.toolkit.Corpus;
import io.jembed.toolkit.CorpusCache;
import io.jembed.toolkit.Document;
import io.jembed.toolkit.DocumentHit;
import io.jembed.toolkit.DocumentSearch;
import io.jembed.toolkit.Hit;
import io.jembed.toolkit.SemanticSearch;
import io.jembed.toolkit.io.EmbeddingFile;
import io.jembed.toolkit.io.EmbeddingFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jembed search}: semantic search over a corpus file, like {@code util.semantic_search}. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Semantic search: the documents of a corpus closest to each query.",
      "Search a text corpus (--corpus) or vectors saved by 'jembed encode' (--embeddings; the"
          + " ids are row numbers from 1).",
      "The corpus is one document per line, or JSON Lines with \"id\" and \"text\". Documents"
          + " longer than the model's limit are split into chunks and a document scores as its"
          + " best chunk, so no text is ignored. Corpus embeddings are cached (see --cache-dir),"
          + " so the second search is instant."
    })
public final class SearchCommand implements Callable<Integer> {
  static final int DEFAULT_TOP_K = 10;

  @Option(
      names = {"-c", "--corpus"},
      paramLabel = "FILE",
      description = "The documents: one per line, or JSONL with \"id\" and \"text\".")
  Path corpus;

  @Option(
      names = {"-e", "--embeddings"},
      paramLabel = "FILE",
      description =
          "Search vectors saved by 'jembed encode' (.npy, .json, .jsonl, .csv) instead of a"
              + " corpus; refused if another model made them.")
  Path embeddings;

  @Option(
      names = {"-q", "--query"},
      required = true,
      paramLabel = "TEXT",
      description = "A query (repeat for several).")
  List<String> queries;

  @Option(
      names = {"-k", "--top-k"},
      paramLabel = "N",
      description = "Documents per query (default: 10, or the whole corpus if smaller).")
  Integer topK;

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

  @Mixin ModelOptions modelOptions;
  @Mixin CorpusOptions corpusOptions;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    corpusOptions.validate();
    for (String q : queries) {
      if (q == null || q.isBlank()) {
        throw new UsageException("a query must not be blank");
      }
    }
    if (topK != null && topK < 1) {
      throw new UsageException("-k must be at least 1, got " + topK);
    }
    if (overlap < 0 || (maxTokens != null && maxTokens < 1)) {
      throw new UsageException("--max-tokens must be positive and --overlap not negative");
    }
    if ((corpus == null) == (embeddings == null)) {
      throw new UsageException("give either --corpus or --embeddings");
    }
    if (embeddings != null) {
      return searchEmbeddingFile();
    }
    Corpus docs = Corpus.read(corpus);
    if (topK == null) {
      topK = Math.min(DEFAULT_TOP_K, docs.size());
    } else if (topK > docs.size()) {
      throw new UsageException(
          "-k "
              + topK
              + " is larger than the corpus ("
              + docs.size()
              + (docs.size() == 1 ? " document)" : " documents)"));
    }
    try (EmbeddingModel model = modelOptions.open()) {
      SimilarityFunction similarity = corpusOptions.similarity(model);
      Chunker.Builder chunker = Chunker.builder().model(model).overlapTokens(overlap);
      if (maxTokens != null) {
        chunker.maxTokens(maxTokens);
      }
      Chunker built;
      try {
        built = chunker.build();
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      EncodeOptions options = corpusOptions.encodeOptions();
      CorpusCache cache = corpusOptions.cache(docs);
      DocumentSearch index =
          cache == null
              ? DocumentSearch.build(model, docs.documents(), built, options)
              : cache.documentSearch(model, docs, built, options, CorpusOptions.messages(spec));
      float[][] queryVectors = model.encodeQuery(queries, EncodeOptions.defaults()).vectors();
      List<List<DocumentHit>> results = index.search(queryVectors, topK, similarity);
      corpusOptions.emit(spec, out -> print(out, results));
    }
    return JembedCli.OK;
  }

  /** Searches saved vectors: one document per vector, texts from the file when it has them. */
  private Integer searchEmbeddingFile() {
    EmbeddingFile file = EmbeddingFiles.read(embeddings);
    if (file.size() == 0) {
      throw new JembedException(embeddings + " holds no vectors");
    }
    if (topK == null) {
      topK = Math.min(DEFAULT_TOP_K, file.size());
    } else if (topK > file.size()) {
      throw new UsageException(
          "-k " + topK + " is larger than the corpus (" + file.size() + " vectors)");
    }
    try (EmbeddingModel model = modelOptions.open()) {
      EmbeddingFiles.requireSameModel(model.info(), file.model(), embeddings);
      if (file.model() == null) {
        CorpusOptions.messages(spec)
            .accept(embeddings + " does not record its model: assuming " + model.id());
      }
      float[][] queryVectors = model.encodeQuery(queries, EncodeOptions.defaults()).vectors();
      if (queryVectors[0].length != file.dimension()) {
        throw new JembedException(
            embeddings
                + " holds "
                + file.dimension()
                + "-d vectors but "
                + model.id()
                + " makes "
                + queryVectors[0].length
                + "-d vectors");
      }
      List<List<Hit>> hits =
          SemanticSearch.search(
              queryVectors, file.vectors(), topK, corpusOptions.similarity(model));
      List<List<DocumentHit>> results = new ArrayList<>();
      for (List<Hit> perQuery : hits) {
        List<DocumentHit> docs = new ArrayList<>();
        for (Hit h : perQuery) {
          String text = file.hasTexts() ? file.texts().get(h.corpusId()) : "";
          Document d = new Document(Integer.toString(h.corpusId() + 1), text);
          docs.add(
              new DocumentHit(
                  h.corpusId(), d, h.score(), new Chunk(0, text, 0, text.length(), 0), 1));
        }
        results.add(docs);
      }
      corpusOptions.emit(spec, out -> print(out, results));
    }
    return JembedCli.OK;
  }

  private void print(PrintWriter out, List<List<DocumentHit>> results) {
    if (corpusOptions.json()) {
      ArrayNode all = Json.MAPPER.createArrayNode();
      for (List<DocumentHit> hits : results) {
        ArrayNode array = all.addArray();
        int rank = 1;
        for (DocumentHit h : hits) {
          ObjectNode o = array.addObject();
          o.put("rank", rank++);
          o.put("score", h.score());
          o.put("id", h.document().id());
          o.put("text", h.document().text());
          if (h.chunkCount() > 1) {
            Chunk c = h.chunk();
            ObjectNode chunk = o.putObject("chunk");
            chunk.put("index", c.index());
            chunk.put("start", c.start());
            chunk.put("end", c.end());
            chunk.put("text", c.text());
          }
        }
      }
      Json.print(out, all);
      return;
    }
    for (int q = 0; q < results.size(); q++) {
      if (q > 0) {
        out.println();
      }
      out.println("Query: " + queries.get(q));
      int rank = 1;
      for (DocumentHit h : results.get(q)) {
        String where =
            h.chunkCount() > 1
                ? String.format(
                    Locale.ROOT,
                    " (chunk %d/%d, chars %d-%d)",
                    h.chunk().index() + 1,
                    h.chunkCount(),
                    h.chunk().start(),
                    h.chunk().end())
                : "";
        String text = h.chunkCount() > 1 ? h.chunk().text() : h.document().text();
        out.printf(
            Locale.ROOT,
            "%3d. %.4f  [%s]%s %s%n",
            rank++,
            h.score(),
            h.document().id(),
            where,
            TextInput.label(text, 120));
      }
    }
  }
}
