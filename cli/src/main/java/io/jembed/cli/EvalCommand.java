package io.jembed.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code jembed eval}: benchmarks; each is a subcommand. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Evaluate a model on a benchmark.",
    subcommands = {EvalStsCommand.class})
public final class EvalCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new UsageException("missing benchmark: try 'jembed eval sts FILE'");
  }
}
