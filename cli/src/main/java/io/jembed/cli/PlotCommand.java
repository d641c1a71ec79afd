package io.jembed.cli;

import io.jembed.ConsoleProgressBar;
import io.jembed.EmbeddingModel;
import io.jembed.EncodeOptions;
import io.jembed.JembedException;
import io.jembed.plot.Annotation;
import io.jembed.plot.MapPlot;
import io.jembed.plot.PlotFormat;
import io.jembed.plot.Projection;
import io.jembed.plot.ProjectionMethod;
import io.jembed.plot.ProjectionOptions;
import io.jembed.plot.Projector;
import io.jembed.toolkit.AtomicFiles;
import io.jembed.toolkit.io.EmbeddingFile;
import io.jembed.toolkit.io.EmbeddingFiles;
import io.jembed.toolkit.io.EmbeddingFormat;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code jembed plot}: a t-SNE, PCA or UMAP map of texts or embeddings as PNG, SVG or HTML. */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Draws a 2-D map of the embedding space: points coloured by label, with a legend.",
      "Input: one text per line, optionally followed by a tab and a label; or an embeddings file"
          + " from 'jembed encode' (.npy, .json, .jsonl, .csv) with --labels.",
      "Output by extension: .png, .svg, .html (self-contained: hover a point to read its text),"
          + " or .csv (the coordinates)."
    })
public final class PlotCommand implements Callable<Integer> {
  /** Projections of at least this many points draw a progress bar. */
  static final int PROGRESS_POINTS = 500;

  @Option(
      names = {"-i", "--input"},
      required = true,
      paramLabel = "FILE",
      description = "Texts (one per line, optional TAB label) or an embeddings file.")
  Path input;

  @Option(
      names = "--labels",
      paramLabel = "FILE",
      description = "One label per line, in input order (blank line: no label).")
  Path labelsFile;

  @Option(
      names = "--method",
      paramLabel = "METHOD",
      defaultValue = "tsne",
      description = "tsne, pca or umap (default: ${DEFAULT-VALUE}).")
  String method;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      defaultValue = "map.png",
      description = "map.png, map.svg, map.html or coordinates .csv (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(
      names = "--title",
      paramLabel = "TEXT",
      description = "Title above the map (default: method, count and model; \"\" for none).")
  String title;

  @Option(
      names = "--annotate",
      paramLabel = "WHAT",
      defaultValue = "none",
      description = "Write next to each point: none, label or text (default: ${DEFAULT-VALUE}).")
  String annotate;

  @Option(
      names = "--perplexity",
      paramLabel = "P",
      defaultValue = "30",
      description =
          "t-SNE perplexity, about the number of neighbours each point attends to; clamped to a"
              + " third of the points (default: ${DEFAULT-VALUE}).")
  double perplexity;

  @Option(
      names = "--neighbors",
      paramLabel = "N",
      defaultValue = "15",
      description = "UMAP n_neighbors (default: ${DEFAULT-VALUE}).")
  int neighbors;

  @Option(
      names = "--min-dist",
      paramLabel = "D",
      defaultValue = "0.1",
      description = "UMAP min_dist (default: ${DEFAULT-VALUE}).")
  double minDist;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "Random seed: the same seed draws the same map (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--size",
      paramLabel = "WxH",
      defaultValue = "960x720",
      description = "Picture size in pixels (default: ${DEFAULT-VALUE}).")
  String size;

  @Option(names = "--no-progress", description = "Never draw a progress bar.")
  boolean noProgress;

  @Mixin ModelOptions modelOptions;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** What is mapped: vectors with their texts and labels (either may be null). */
  record Points(float[][] vectors, List<String> texts, List<String> labels, String source) {}

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    ProjectionMethod projectionMethod = parse(() -> ProjectionMethod.parse(method));
    Annotation annotation = parse(() -> Annotation.parse(annotate));
    int[] wh = parseSize(size);
    boolean csv = output.toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    if (!csv) {
      parse(() -> PlotFormat.fromPath(output));
    }
    ProjectionOptions options;
    try {
      options =
          ProjectionOptions.builder()
              .method(projectionMethod)
              .perplexity(perplexity)
              .neighbors(neighbors)
              .minDist(minDist)
              .seed(seed)
              .build();
    } catch (JembedException e) {
      throw new UsageException(e.getMessage());
    }

    Points points = read(err);
    if (points.vectors().length == 0) {
      throw new JembedException(
          input + " has no texts or vectors: a map needs at least " + Projector.MIN_POINTS);
    }
    if (points.vectors().length < Projector.MIN_POINTS) {
      throw new JembedException(
          "a map needs at least "
              + Projector.MIN_POINTS
              + " points, but "
              + input
              + " has "
              + points.vectors().length);
    }
    long t0 = System.nanoTime();
    Projection projection;
    boolean bar =
        !noProgress
            && projectionMethod != ProjectionMethod.PCA
            && points.vectors().length >= PROGRESS_POINTS;
    try (ConsoleProgressBar progress =
        bar ? new ConsoleProgressBar(projectionMethod.displayName()) : null) {
      projection =
          Projector.project(
              points.vectors(), options.toBuilder().progressListener(progress).build());
    }
    for (String note : projection.notes()) {
      err.println("jembed: note: " + note);
    }
    if (csv) {
      writeCoordinates(output, projection, points);
    } else {
      String t =
          title != null
              ? title
              : String.format(
                  Locale.ROOT,
                  "%s map of %d %s (%s)",
                  projectionMethod.displayName(),
                  points.vectors().length,
                  points.texts() != null ? "texts" : "embeddings",
                  points.source());
      MapPlot.builder(projection)
          .labels(points.labels())
          .texts(points.texts())
          .title(t)
          .annotation(annotation)
          .size(wh[0], wh[1])
          .build()
          .write(output);
    }
    // the file is the result: like 'jembed encode -o', say where it went on stderr
    err.printf(
        Locale.ROOT,
        "jembed: wrote %s (%s map of %d points, %.1f s)%n",
        output,
        projectionMethod.displayName(),
        points.vectors().length,
        (System.nanoTime() - t0) / 1e9);
    err.flush();
    return JembedCli.OK;
  }

  private interface Parse<T> {
    T get();
  }

  private static <T> T parse(Parse<T> p) {
    try {
      return p.get();
    } catch (JembedException e) {
      throw new UsageException(e.getMessage());
    }
  }

  static int[] parseSize(String s) {
    String[] parts = s.toLowerCase(Locale.ROOT).split("x");
    try {
      if (parts.length == 2) {
        int w = Integer.parseInt(parts[0].trim());
        int h = Integer.parseInt(parts[1].trim());
        if (w >= 200 && h >= 150 && w <= 10_000 && h <= 10_000) {
          return new int[] {w, h};
        }
      }
    } catch (NumberFormatException e) {
      // fall through to the message
    }
    throw new UsageException(
        "--size must be WIDTHxHEIGHT in pixels, from 200x150 to 10000x10000, got '" + s + "'");
  }

  private Points read(PrintWriter err) {
    boolean stdin = input.toString().equals("-");
    if (!stdin && !Files.exists(input)) {
      throw new JembedException("input file not found: " + input);
    }
    EmbeddingFormat format = stdin ? null : EmbeddingFormat.fromPathOrNull(input);
    if (format != null) {
      EmbeddingFile file = EmbeddingFiles.read(input, format);
      List<String> labels = labelsFile == null ? null : readLabels(labelsFile, file.size());
      if (labels == null) {
        err.println(
            "jembed: note: no --labels FILE given: all points get one colour and no legend");
      }
      String source = file.model() != null ? file.model().id() : input.getFileName().toString();
      return new Points(file.vectors(), file.texts(), labels, source);
    }
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    boolean anyLabel = false;
    for (String line : readTextLines()) {
      int tab = line.lastIndexOf('\t');
      if (tab >= 0) {
        String text = line.substring(0, tab).strip();
        String label = line.substring(tab + 1).strip();
        texts.add(text.isEmpty() ? line.strip() : text);
        labels.add(text.isEmpty() ? "" : label);
        anyLabel |= !text.isEmpty() && !label.isEmpty();
      } else {
        texts.add(line.strip());
        labels.add("");
      }
    }
    if (labelsFile != null) {
      if (anyLabel) {
        throw new UsageException(
            input + " already has tab-separated labels: leave out --labels, or the tabs");
      }
      labels = readLabels(labelsFile, texts.size());
      anyLabel = true;
    }
    if (texts.size() < Projector.MIN_POINTS) {
      return new Points(new float[texts.size()][], texts, null, modelOptions.model);
    }
    try (EmbeddingModel model = modelOptions.open()) {
      EncodeOptions encode =
          EncodeOptions.builder().showProgressBar(!noProgress && texts.size() > 256).build();
      float[][] vectors = model.encode(texts, encode).vectors();
      return new Points(vectors, texts, anyLabel ? labels : null, model.id());
    }
  }

  private List<String> readTextLines() {
    return TextInput.read(input.toString(), System.in).texts();
  }

  static List<String> readLabels(Path file, int expected) {
    List<String> lines;
    try {
      lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new JembedException("labels file not found: " + file, e);
    } catch (IOException e) {
      throw new JembedException("cannot read labels file '" + file + "': " + e.getMessage(), e);
    }
    if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
      lines.set(0, lines.get(0).substring(1));
    }
    // trailing blank lines are the end of the file, not missing labels
    while (lines.size() > expected && lines.get(lines.size() - 1).isBlank()) {
      lines.remove(lines.size() - 1);
    }
    if (lines.size() != expected) {
      throw new JembedException(
          "labels file "
              + file
              + " has "
              + lines.size()
              + " lines but there are "
              + expected
              + " points: give one label per line, in input order");
    }
    List<String> labels = new ArrayList<>();
    for (String l : lines) {
      labels.add(l.strip());
    }
    return labels;
  }

  private static void writeCoordinates(Path path, Projection p, Points points) {
    AtomicFiles.write(
        path,
        out -> {
          Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
          w.write("x,y,label,text\n");
          for (int i = 0; i < p.size(); i++) {
            w.write(
                String.format(
                    Locale.ROOT,
                    "%s,%s,%s,%s%n",
                    Double.toString(p.x(i)),
                    Double.toString(p.y(i)),
                    csvField(points.labels() == null ? "" : points.labels().get(i)),
                    csvField(points.texts() == null ? "" : points.texts().get(i))));
          }
          w.flush();
        });
  }

  private static String csvField(String s) {
    if (s == null) {
      return "";
    }
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
