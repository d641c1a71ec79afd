package io.jembed.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.EmbeddingModel;
import io.jembed.ModelInfo;
import io.jembed.toolkit.io.ModelInfoJson;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jembed info}: what {@code print(model)} shows, plus the model's settings. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Show a model's pipeline (as print(model) does), dimension, maximum sequence length,"
            + " similarity function and prompts.")
public final class InfoCommand implements Callable<Integer> {
  @Mixin ModelOptions modelOptions;

  @Option(
      names = {"-f", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  String format;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    boolean json = Json.requested(format);
    try (EmbeddingModel model = modelOptions.open()) {
      ModelInfo info = model.info();
      PrintWriter out = spec.commandLine().getOut();
      String pipeline = model.toString();
      if (json) {
        ObjectNode o = Json.object();
        o.put("name", modelOptions.model);
        ModelInfoJson.putFields(o, info);
        o.put("pipeline", pipeline);
        o.put("loadedFrom", loadedFrom(model));
        Json.print(out, o);
        return JembedCli.OK;
      }
      out.println(pipeline);
      out.println();
      row(out, "model", info.id());
      row(out, "provider", info.provider());
      if (!info.revision().isEmpty()) {
        row(out, "revision", info.revision());
      }
      row(out, "dimension", Integer.toString(info.dimension()));
      row(out, "max_seq_length", info.maxSeqLength() + " tokens");
      row(out, "normalized", Boolean.toString(info.normalized()));
      row(out, "similarity", info.similarity().externalName());
      if (info.prompts().isEmpty()) {
        row(out, "prompts", "(none)");
      } else {
        for (Map.Entry<String, String> e : info.prompts().entrySet()) {
          boolean isDefault = e.getKey().equals(info.defaultPromptName());
          row(
              out,
              "prompt " + e.getKey(),
              "\"" + e.getValue() + "\"" + (isDefault ? " (default)" : ""));
        }
      }
      row(out, "loaded from", loadedFrom(model));
      out.flush();
    }
    return JembedCli.OK;
  }

  private static void row(PrintWriter out, String key, String value) {
    out.printf(Locale.ROOT, "%-16s %s%n", key + ":", value);
  }

  /** Where the model came from: a folder for local models, the provider for hosted ones. */
  static String loadedFrom(EmbeddingModel model) {
    ModelInfo info = model.info();
    if (!"local".equals(info.provider())) {
      return info.provider() + " API";
    }
    return ModelSource.describe(model);
  }
}
