package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.SimilarityFunction;
import io.jembed.toolkit.eval.StsDataset;
import io.jembed.toolkit.eval.StsEvaluator;
import io.jembed.toolkit.eval.StsPair;
import io.jembed.toolkit.eval.StsResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jembed eval sts FILE}: Spearman and Pearson correlation on an STS benchmark file. */
@Command(
    name = "sts",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Semantic textual similarity: correlate the model's similarity of sentence pairs with human"
          + " scores (STS benchmark format: tab-separated, score in column 5, sentences in columns"
          + " 6 and 7).",
      "Prints a JSON object with spearman, pearson and pairs. Fails (exit 1) when a correlation"
          + " is undefined: all gold scores, or all of the model's similarities, are equal."
    })
public final class EvalStsCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @Option(
      names = {"-b", "--batch-size"},
      paramLabel = "N",
      defaultValue = "32",
      description = "Texts per forward pass (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = {"-s", "--similarity"},
      paramLabel = "FN",
      defaultValue = "cosine",
      description = "cosine, dot, euclidean or manhattan (default: ${DEFAULT-VALUE}).")
  String similarity;

  @Option(names = "--no-progress", description = "Never draw a progress bar.")
  boolean noProgress;

  @Parameters(index = "0", paramLabel = "FILE", description = "The STS file (e.g. sts-test.csv).")
  Path file;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (batchSize < 1) {
      throw new UsageException("batch size must be at least 1, got " + batchSize);
    }
    SimilarityFunction fn;
    try {
      fn = SimilarityFunction.parse(similarity);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    List<StsPair> pairs = StsDataset.read(file);
    if (pairs.size() >= 2 && pairs.stream().allMatch(p -> p.score() == pairs.get(0).score())) {
      // a correlation with constant scores is undefined (NaN, which is not JSON)
      throw new JembedException(
          "cannot correlate with the gold scores of '"
              + file
              + "': all "
              + pairs.size()
              + " pairs score "
              + pairs.get(0).score()
              + "; Spearman and Pearson need scores that vary");
    }
    try (EmbeddingModel model = modelOptions.open()) {
      EncodeOptions options =
          EncodeOptions.builder()
              .batchSize(batchSize)
              .showProgressBar(!noProgress && pairs.size() > 4 * batchSize)
              .build();
      StsResult r = StsEvaluator.evaluate(model, pairs, options, fn);
      if (Double.isNaN(r.spearman()) || Double.isNaN(r.pearson())) {
        throw new JembedException(
            "cannot correlate: "
                + r.model()
                + " gave all "
                + r.pairs()
                + " pairs of '"
                + file
                + "' the same "
                + r.similarity()
                + " similarity; Spearman and Pearson need similarities that vary");
      }
      ObjectNode o = Json.object();
      o.put("model", r.model());
      o.put("file", file.toString());
      o.put("similarity", r.similarity());
      o.put("spearman", r.spearman());
      o.put("pearson", r.pearson());
      o.put("pairs", r.pairs());
      o.put("sentences", r.sentences());
      o.put("truncated", r.truncated());
      o.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
      Json.print(spec.commandLine().getOut(), o);
    }
    return JembedCli.OK;
  }
}
