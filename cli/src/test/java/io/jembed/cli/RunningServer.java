package io.jembed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jembed.server.EmbeddingServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * A {@code serve} or {@code explore} command running in this JVM, as the CLI tests drive it: its
 * server, the URL it printed, what it wrote, and how it exited.
 */
record RunningServer(
    EmbeddingServer server,
    URI url,
    StringWriter out,
    StringWriter err,
    Runnable stopper,
    CompletableFuture<Integer> exit) {

  /** Runs {@code args} (a {@code serve} or {@code explore} command line) until it has started. */
  static RunningServer start(String... args) throws InterruptedException {
    CommandLine cl = JembedCli.commandLine();
    Object command = cl.getSubcommands().get(args[0]).getCommand();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(args));
    EmbeddingServer server;
    Runnable stopper;
    switch (command) {
      case ServeCommand serve -> {
        server = serve.awaitStarted();
        stopper = serve::stop;
      }
      case ExploreCommand explore -> {
        server = explore.awaitStarted();
        stopper = explore::stop;
      }
      default -> throw new IllegalArgumentException(args[0] + " runs no server");
    }
    assertThat(server).as(err.toString()).isNotNull();
    return new RunningServer(server, URI.create(out.toString().strip()), out, err, stopper, exit);
  }

  /** Stops it as Ctrl+C would and waits at most {@code seconds} for its exit code. */
  int stop(long seconds) throws Exception {
    stopper.run();
    return exit.get(seconds, TimeUnit.SECONDS);
  }
}
