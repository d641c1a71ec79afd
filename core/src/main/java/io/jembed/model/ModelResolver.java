package io.jembed.model;

import io.jembed.LoadOptions;
import io.jembed.ModelNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what a user typed into a local sentence-transformers folder: a bundled name, a folder, or a
 * Hugging Face Hub id ({@code org/name}, optionally {@code @revision}).
 */
public final class ModelResolver {
  private static final Pattern HUB_ID =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)(?:@([^@\\s]+))?");

  private ModelResolver() {}

  /**
   * A resolved model.
   *
   * @param id the model's name for {@code ModelInfo.id()}
   * @param directory the sentence-transformers folder
   * @param source how it was found, for messages ("bundled", "folder", "hub")
   */
  public record Resolved(String id, Path directory, String source) {}

  public static Resolved resolve(String name, LoadOptions options) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("model name must not be blank");
    }
    String n = name.trim();
    var bundled = BundledModels.find(n);
    if (bundled.isPresent()) {
      BundledModel m = bundled.get();
      return new Resolved(m.name(), BundledModels.materialize(m, options), "bundled");
    }
    Path path = expandHome(n);
    if (Files.isDirectory(path)) {
      return new Resolved(
          path.toAbsolutePath().normalize().getFileName().toString(), path, "folder");
    }
    if (looksLikePath(n)) {
      throw new ModelNotFoundException("model folder " + path + " does not exist", suggestions(n));
    }
    Matcher hub = HUB_ID.matcher(n);
    if (hub.matches()) {
      String repo = hub.group(1) + "/" + hub.group(2);
      String revision = hub.group(3) != null ? hub.group(3) : options.revision().orElse(null);
      Path snapshot = RemoteSources.hubSnapshot(repo, revision, options);
      return new Resolved(repo, snapshot, "hub");
    }
    List<String> close = suggestions(n);
    throw new ModelNotFoundException(
        "unknown model '"
            + n
            + "'"
            + (close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?")
            + " Bundled models: "
            + String.join(", ", BundledModels.all().stream().map(BundledModel::name).toList())
            + "; or give a folder or a Hub id (org/name)",
        close);
  }

  private static boolean looksLikePath(String n) {
    return n.startsWith("/")
        || n.startsWith("./")
        || n.startsWith("../")
        || n.startsWith("~")
        || n.contains("\\")
        || n.chars().filter(c -> c == '/').count() > 1
        || n.equals(".")
        || n.equals("..");
  }

  private static Path expandHome(String n) {
    if (n.equals("~") || n.startsWith("~/")) {
      return Path.of(System.getProperty("user.home") + n.substring(1));
    }
    return Path.of(n);
  }

  /** Bundled names within a small edit distance (case-insensitive), closest first. */
  public static List<String> suggestions(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    record Scored(String name, int distance) {}
    List<Scored> scored = new ArrayList<>();
    for (String candidate : BundledModels.names()) {
      String c = candidate.toLowerCase(Locale.ROOT);
      int d = levenshtein(n, c);
      int limit = Math.max(3, c.length() / 3);
      if (d <= limit || c.contains(n) && n.length() >= 3) {
        scored.add(new Scored(candidate, d));
      }
    }
    return scored.stream()
        .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
        .map(Scored::name)
        .distinct()
        .limit(3)
        .toList();
  }

  static int levenshtein(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
