package io.jembed.cli;

import picocli.CommandLine.Command;

/** {@code jembed eval}: benchmarks; each is a subcommand. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Evaluate a model on a benchmark.",
    subcommands = {EvalStsCommand.class})
public final class EvalCommand implements Runnable {
  @Override
  public void run() {
    throw new UsageException("missing benchmark (jembed eval sts FILE)");
  }
}
