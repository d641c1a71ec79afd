package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.SimilarityFunction;
import io.jembed.toolkit.Community;
import io.jembed.toolkit.Corpus;
import io.jembed.toolkit.CorpusCache;
import io.jembed.toolkit.Document;
import io.jembed.toolkit.NearDuplicates;
import io.jembed.toolkit.ParaphraseMining;
import io.jembed.toolkit.ScoredPair;
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

/** {@code jembed mine}: paraphrase mining and near-duplicate detection over a file of texts. */
@Command(
    name = "mine",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Paraphrase mining: the most similar pairs of texts in a file (one per line, or JSONL with"
          + " \"id\" and \"text\"), like util.paraphrase_mining.",
      "By default each text contributes its --top-k nearest neighbours; --all-pairs lists every"
          + " pair at or above --threshold instead. --duplicates groups near-duplicates"
          + " (threshold 0.95 unless given)."
    })
public final class MineCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The texts.")
  Path file;

  @Option(
      names = {"-t", "--threshold"},
      paramLabel = "SCORE",
      description = "Only pairs scoring at least SCORE (default: none; 0.95 with --duplicates).")
  Float threshold;

  @Option(
      names = {"-k", "--top-k"},
      paramLabel = "N",
      defaultValue = "100",
      description = "Neighbours per text (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(
      names = "--all-pairs",
      description = "Every pair at or above --threshold, not just the top-k per text.")
  boolean allPairs;

  @Option(
      names = "--max-pairs",
      paramLabel = "N",
      defaultValue = "500000",
      description = "At most N pairs (default: ${DEFAULT-VALUE}).")
  int maxPairs;

  @Option(names = "--duplicates", description = "Group near-duplicates instead of listing pairs.")
  boolean duplicates;

  @Mixin ModelOptions modelOptions;
  @Mixin CorpusOptions corpusOptions;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    corpusOptions.validate();
    if (topK < 1 || maxPairs < 1) {
      throw new UsageException("--top-k and --max-pairs must be at least 1");
    }
    if (threshold != null && threshold.isNaN()) {
      throw new UsageException("--threshold must be a number");
    }
    if (allPairs && threshold == null) {
      throw new UsageException("--all-pairs needs a --threshold");
    }
    Corpus corpus = Corpus.read(file);
    try (EmbeddingModel model = modelOptions.open()) {
      SimilarityFunction similarity = corpusOptions.similarity(model);
      float[][] vectors = embed(model, corpus, corpusOptions, spec);
      List<Document> docs = corpus.documents();
      if (duplicates) {
        float t = threshold == null ? NearDuplicates.DEFAULT_THRESHOLD : threshold;
        List<Community> groups = NearDuplicates.find(vectors, t, similarity);
        corpusOptions.emit(spec, out -> printGroups(out, groups, docs));
        return JembedCli.OK;
      }
      ParaphraseMining.Builder mining =
          ParaphraseMining.builder()
              .topK(allPairs ? null : topK)
              .maxPairs(maxPairs)
              .similarity(similarity);
      if (threshold != null) {
        mining.threshold(threshold);
      }
      List<ScoredPair> pairs = mining.build().mine(vectors);
      corpusOptions.emit(spec, out -> printPairs(out, pairs, docs));
    }
    return JembedCli.OK;
  }

  /** One vector per text, from the cache when it matches. */
  static float[][] embed(
      EmbeddingModel model,
      Corpus corpus,
      CorpusOptions options,
      CommandLine.Model.CommandSpec spec) {
    CorpusCache cache = options.cache(corpus);
    var encode = options.encodeOptions();
    if (cache != null) {
      return cache.embeddings(model, corpus, encode, CorpusOptions.messages(spec));
    }
    return model.encode(corpus.texts(), encode).vectors();
  }

  private void printPairs(PrintWriter out, List<ScoredPair> pairs, List<Document> docs) {
    if (corpusOptions.json()) {
      ArrayNode array = Json.MAPPER.createArrayNode();
      for (ScoredPair p : pairs) {
        ObjectNode o = array.addObject();
        o.put("score", p.score());
        put(o.putObject("first"), docs.get(p.first()));
        put(o.putObject("second"), docs.get(p.second()));
      }
      Json.print(out, array);
      return;
    }
    for (ScoredPair p : pairs) {
      out.printf(
          Locale.ROOT,
          "%.4f  [%s] %s  <->  [%s] %s%n",
          p.score(),
          docs.get(p.first()).id(),
          TextInput.label(docs.get(p.first()).text(), 60),
          docs.get(p.second()).id(),
          TextInput.label(docs.get(p.second()).text(), 60));
    }
  }

  private void printGroups(PrintWriter out, List<Community> groups, List<Document> docs) {
    if (corpusOptions.json()) {
      Json.print(out, ClusterCommand.groupsJson(groups, docs));
      return;
    }
    if (groups.isEmpty()) {
      spec.commandLine().getErr().println("jembed: no near-duplicates found");
    }
    int g = 1;
    for (Community c : groups) {
      out.printf(Locale.ROOT, "Duplicates %d (%d texts):%n", g++, c.size());
      for (int m : c.members()) {
        out.printf("  [%s] %s%n", docs.get(m).id(), TextInput.label(docs.get(m).text(), 100));
      }
    }
  }

  static void put(ObjectNode o, Document d) {
    o.put("id", d.id());
    o.put("text", d.text());
  }
}
