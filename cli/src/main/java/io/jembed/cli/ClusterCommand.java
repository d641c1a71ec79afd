package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.toolkit.Community;
import io.jembed.toolkit.CommunityDetection;
import io.jembed.toolkit.Corpus;
import io.jembed.toolkit.Document;
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

/** {@code jembed cluster}: community detection over a file of texts. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Community detection: groups of texts (one per line, or JSONL with \"id\" and \"text\")"
          + " that are all close to a center text, like util.community_detection.",
      "Largest community first; the first member of each is its center."
    })
public final class ClusterCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The texts.")
  Path file;

  @Option(
      names = {"-t", "--threshold"},
      paramLabel = "SCORE",
      defaultValue = "0.75",
      description = "Similarity at which texts count as close (default: ${DEFAULT-VALUE}).")
  float threshold;

  @Option(
      names = {"-s", "--min-size"},
      paramLabel = "N",
      defaultValue = "10",
      description = "Smallest community to report, center included (default: ${DEFAULT-VALUE}).")
  int minSize;

  @Mixin ModelOptions modelOptions;
  @Mixin CorpusOptions corpusOptions;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    corpusOptions.validate();
    if (minSize < 1) {
      throw new UsageException("--min-size must be at least 1, got " + minSize);
    }
    if (Float.isNaN(threshold)) {
      throw new UsageException("--threshold must be a number");
    }
    Corpus corpus = Corpus.read(file);
    try (EmbeddingModel model = modelOptions.open()) {
      float[][] vectors = MineCommand.embed(model, corpus, corpusOptions, spec);
      List<Community> communities =
          CommunityDetection.builder()
              .threshold(threshold)
              .minCommunitySize(minSize)
              .similarity(corpusOptions.similarity(model))
              .build()
              .detectCommunities(vectors);
      List<Document> docs = corpus.documents();
      if (communities.isEmpty()) {
        spec.commandLine()
            .getErr()
            .printf(
                Locale.ROOT,
                "jembed: no community of %d or more texts at threshold %.2f"
                    + " (try a lower --min-size or --threshold)%n",
                minSize,
                threshold);
      }
      corpusOptions.emit(spec, out -> print(out, communities, docs));
    }
    return JembedCli.OK;
  }

  private void print(PrintWriter out, List<Community> communities, List<Document> docs) {
    if (corpusOptions.json()) {
      Json.print(out, groupsJson(communities, docs));
      return;
    }
    int n = 1;
    for (Community c : communities) {
      out.printf(Locale.ROOT, "Community %d (%d texts):%n", n++, c.size());
      for (int m : c.members()) {
        out.printf("  [%s] %s%n", docs.get(m).id(), TextInput.label(docs.get(m).text(), 100));
      }
    }
  }

  static ArrayNode groupsJson(List<Community> groups, List<Document> docs) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    int n = 1;
    for (Community c : groups) {
      ObjectNode o = array.addObject();
      o.put("community", n++);
      o.put("size", c.size());
      ArrayNode members = o.putArray("members");
      for (int m : c.members()) {
        MineCommand.put(members.addObject(), docs.get(m));
      }
    }
    return array;
  }
}
