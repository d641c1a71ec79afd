package io.jembed.cli;

import io.jembed.EmbeddingModel;
import io.jembed.LoadOptions;
import picocli.CommandLine.Option;

/** The --model option and its companions, shared by every command that embeds text. */
public final class ModelOptions {
  public static final String DEFAULT_MODEL = "all-MiniLM-L6-v2";

  @Option(
      names = {"-m", "--model"},
      paramLabel = "MODEL",
      defaultValue = DEFAULT_MODEL,
      description =
          "Bundled name, local directory, Hub id (org/name[@revision]) or hosted model"
              + " (openai:text-embedding-3-small ...). Default: ${DEFAULT-VALUE}.")
  public String model;

  @Option(
      names = "--revision",
      paramLabel = "REV",
      description = "Hub revision (branch, tag or commit).")
  public String revision;

  @Option(
      names = "--base-url",
      paramLabel = "URL",
      description = "Base URL of a hosted API (or of the Hub).")
  public String baseUrl;

  @Option(
      names = "--api-key",
      paramLabel = "KEY",
      description = "API key for a hosted model (default: the provider's environment variable).")
  public String apiKey;

  @Option(
      names = "--dimensions",
      paramLabel = "N",
      description = "Output dimensions requested from a hosted model that supports them.")
  public Integer dimensions;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Inference threads for local models (default: all cores).")
  public Integer threads;

  public LoadOptions loadOptions() {
    return LoadOptions.builder()
        .revision(revision)
        .baseUrl(baseUrl)
        .apiKey(apiKey)
        .dimensions(dimensions)
        .threads(threads)
        .build();
  }

  /** Loads the chosen model; the caller closes it. */
  public EmbeddingModel open() {
    return EmbeddingModel.load(model, loadOptions());
  }
}
