package io.jembed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jembed.LoadOptions;
import io.jembed.hub.MavenArtifacts;
import io.jembed.model.BundledModel;
import io.jembed.model.BundledModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jembed models}: the models jembed knows by name, and whether they are here yet. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description =
        "List the bundled models: name, dimension, pooling, max_seq_length, download size, and"
            + " whether they are installed or downloaded on first use.")
public final class ModelsCommand implements Callable<Integer> {
  @Option(
      names = {"-f", "--format"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  String format;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** One row of the listing. */
  record Row(
      String name,
      int dimension,
      String pooling,
      int maxSeqLength,
      long sizeBytes,
      String status,
      boolean quantized,
      String description) {}

  @Override
  public Integer call() {
    String fmt = format.trim().toLowerCase(Locale.ROOT);
    if (!fmt.equals("table") && !fmt.equals("json")) {
      throw new UsageException("unknown format '" + format + "': expected table or json");
    }
    MavenArtifacts maven = MavenArtifacts.fromEnvironment(LoadOptions.defaults());
    Path cache = BundledModels.cacheRoot().resolve("models");
    List<Row> rows = new ArrayList<>();
    for (BundledModel m : BundledModels.all()) {
      rows.add(row(m, maven, cache));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (fmt.equals("json")) {
      ArrayNode a = Json.MAPPER.createArrayNode();
      for (Row r : rows) {
        ObjectNode o = a.addObject();
        o.put("name", r.name());
        o.put("dimension", r.dimension());
        o.put("pooling", r.pooling());
        o.put("maxSeqLength", r.maxSeqLength());
        if (r.sizeBytes() >= 0) {
          o.put("sizeBytes", r.sizeBytes());
        } else {
          o.putNull("sizeBytes");
        }
        o.put("status", r.status());
        o.put("quantized", r.quantized());
        o.put("description", r.description());
      }
      Json.print(out, a);
      return JembedCli.OK;
    }
    String header = "%-24s %5s %-7s %7s %9s  %s%n";
    out.printf(Locale.ROOT, header, "NAME", "DIM", "POOLING", "MAX_SEQ", "SIZE", "STATUS");
    for (Row r : rows) {
      out.printf(
          Locale.ROOT,
          header,
          r.name(),
          r.dimension() > 0 ? Integer.toString(r.dimension()) : "?",
          r.pooling(),
          r.maxSeqLength() > 0 ? Integer.toString(r.maxSeqLength()) : "?",
          r.sizeBytes() >= 0 ? megabytes(r.sizeBytes()) : "?",
          r.status());
    }
    out.printf(
        Locale.ROOT,
        "%nThe default is %s. Others are fetched from Maven Central on first use;"
            + " they are cached under %s.%n",
        BundledModels.DEFAULT_MODEL,
        cache);
    out.flush();
    return JembedCli.OK;
  }

  private static Row row(BundledModel m, MavenArtifacts maven, Path cache) {
    JsonNode pooling = resource(m, "1_Pooling/config.json");
    JsonNode st = resource(m, "sentence_bert_config.json");
    Path folder = cache.resolve(m.name()).resolve(m.version());
    Path jar = maven.localPath(m.groupId(), m.artifactId(), m.version());
    long size = -1;
    String status;
    if (Files.isRegularFile(folder.resolve(".complete"))) {
      status = "installed";
      size = sizeOf(folder.resolve(m.onnxEntry()));
    } else if (Files.isRegularFile(jar)) {
      status = "installed (local Maven repository)";
    } else if (m.onClassPath()) {
      status = "installed (class path)";
    } else {
      status = "downloaded on first use";
    }
    if (Files.isRegularFile(jar)) {
      size = sizeOf(jar);
    }
    return new Row(
        m.name(),
        pooling == null ? 0 : pooling.path("word_embedding_dimension").asInt(0),
        poolingMode(pooling),
        st == null ? 0 : st.path("max_seq_length").asInt(0),
        size,
        status,
        m.quantized(),
        m.description());
  }

  private static JsonNode resource(BundledModel m, String file) {
    String name = "io/jembed/models/" + m.configName() + "/" + file;
    try (InputStream in = BundledModels.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? null : Json.MAPPER.readTree(in);
    } catch (IOException e) {
      return null;
    }
  }

  private static String poolingMode(JsonNode p) {
    if (p == null) {
      return "?";
    }
    String[][] modes = {
      {"pooling_mode_cls_token", "cls"},
      {"pooling_mode_mean_tokens", "mean"},
      {"pooling_mode_max_tokens", "max"},
      {"pooling_mode_mean_sqrt_len_tokens", "mean_sqrt_len"},
      {"pooling_mode_weightedmean_tokens", "weightedmean"},
      {"pooling_mode_lasttoken", "lasttoken"}
    };
    List<String> on = new ArrayList<>();
    for (String[] mode : modes) {
      if (p.path(mode[0]).asBoolean(false)) {
        on.add(mode[1]);
      }
    }
    return on.isEmpty() ? "?" : String.join("+", on);
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
