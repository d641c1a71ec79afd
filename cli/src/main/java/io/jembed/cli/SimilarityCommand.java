package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.SimilarityFunction;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jembed similarity}: the similarity matrix of a few texts, like model.similarity(e, e). */
@Command(
    name = "similarity",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Print the similarity of every pair of the given texts as a table or JSON.")
public final class SimilarityCommand implements Callable<Integer> {
  static final int LABEL_WIDTH = 40;

  @Mixin ModelOptions modelOptions;

  @Option(
      names = {"-s", "--similarity"},
      paramLabel = "FN",
      description = "cosine, dot, euclidean or manhattan (default: the model's own).")
  String similarity;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  String format;

  @Parameters(paramLabel = "TEXT", arity = "2..*", description = "Two or more texts.")
  List<String> texts;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    String fmt = format.trim().toLowerCase(Locale.ROOT);
    if (!fmt.equals("table") && !fmt.equals("json")) {
      throw new UsageException("unknown format '" + format + "': expected table or json");
    }
    SimilarityFunction chosen = null;
    if (similarity != null) {
      try {
        chosen = SimilarityFunction.parse(similarity);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    for (String t : texts) {
      if (t.isBlank()) {
        throw new UsageException("an empty text was given: every TEXT must hold some words");
      }
    }
    try (EmbeddingModel model = modelOptions.open()) {
      SimilarityFunction fn = chosen == null ? model.similarityFunction() : chosen;
      float[][] vectors = model.encode(texts, EncodeOptions.defaults()).vectors();
      float[][] scores = fn.matrix(vectors, vectors);
      PrintWriter out = spec.commandLine().getOut();
      if (fmt.equals("json")) {
        ObjectNode o = Json.object();
        o.put("model", model.id());
        o.put("similarity", fn.externalName());
        ArrayNode t = o.putArray("texts");
        texts.forEach(t::add);
        ArrayNode rows = o.putArray("scores");
        for (float[] row : scores) {
          ArrayNode r = rows.addArray();
          for (float s : row) {
            r.add(s);
          }
        }
        Json.print(out, o);
      } else {
        out.print(table(scores, texts, fn, model.id()));
        out.flush();
      }
    }
    return JembedCli.OK;
  }

  /** Rows and columns numbered; each row ends with its (shortened) text. */
  static String table(float[][] scores, List<String> texts, SimilarityFunction fn, String model) {
    int n = scores.length;
    String[] cells = new String[n * n];
    int width = Integer.toString(n - 1).length();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        String s = String.format(Locale.ROOT, "%.4f", scores[i][j]);
        cells[i * n + j] = s;
        width = Math.max(width, s.length());
      }
    }
    int indexWidth = Integer.toString(n - 1).length();
    StringBuilder sb = new StringBuilder();
    sb.append(fn.externalName()).append(" similarity, ").append(model).append('\n');
    sb.append(" ".repeat(indexWidth));
    for (int j = 0; j < n; j++) {
      sb.append("  ").append(pad(Integer.toString(j), width));
    }
    sb.append('\n');
    for (int i = 0; i < n; i++) {
      sb.append(pad(Integer.toString(i), indexWidth));
      for (int j = 0; j < n; j++) {
        sb.append("  ").append(pad(cells[i * n + j], width));
      }
      sb.append("  ").append(TextInput.label(texts.get(i), LABEL_WIDTH)).append('\n');
    }
    return sb.toString();
  }

  private static String pad(String s, int width) {
    return " ".repeat(Math.max(0, width - s.length())) + s;
  }
}
