package io.jembed.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code jembed} command. Exit codes: 0 ok, 1 failure, 2 usage error. Errors are one line on
 * stderr; {@code --verbose} adds the stack trace.
 *
 * <p>Each subcommand is its own class, registered in {@link #commandLine()}. Commands write results
 * to {@code spec.commandLine().getOut()} and messages to {@code getErr()}; they report wrong usage
 * by throwing {@link UsageException} and failures by throwing any other exception with a clear
 * message.
 */
@Command(
    name = "jembed",
    mixinStandardHelpOptions = true,
    versionProvider = JembedCli.Version.class,
    description =
        "Sentence embeddings on your machine: encode, compare, search, cluster and plot text.")
public final class JembedCli implements Runnable {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces and debug logging.")
  boolean verbose;

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line with the given streams and returns the exit code (for tests). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Logging.configure(args);
    PrintStream oldOut = System.out;
    try {
      // results go to the command's getOut(); stray library output must not corrupt them.
      // Swap before building the CommandLine: picocli's default execution strategy remembers
      // System.out when it is created and would replace the writers set below if it changed.
      System.setOut(err);
      CommandLine cl = commandLine();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      return cl.execute(args);
    } finally {
      System.setOut(oldOut);
      out.flush();
      err.flush();
    }
  }

  /** The command tree. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new JembedCli());
    // subcommands, one line each:
    cl.addSubcommand(new EncodeCommand());
    cl.addSubcommand(new SimilarityCommand());
    cl.addSubcommand(new InfoCommand());
    cl.addSubcommand(new ModelsCommand());
    cl.addSubcommand(new EvalCommand());
    cl.addSubcommand(new SearchCommand());
    cl.addSubcommand(new MineCommand());
    cl.addSubcommand(new ClusterCommand());
    cl.addSubcommand(new ChunkCommand());
    cl.addSubcommand(new PlotCommand());
    cl.addSubcommand(new IndexCommand());
    cl.addSubcommand(new ServeCommand());
    cl.addSubcommand(new ExploreCommand());
    cl.setExecutionExceptionHandler(JembedCli::handleExecutionException);
    cl.setParameterExceptionHandler(JembedCli::handleParameterException);
    return cl;
  }

  @Override
  public void run() {
    throw new UsageException("missing command");
  }

  private static int handleExecutionException(
      Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof UsageException) {
      printUsageError(err, cl, e);
      if (isVerbose(parsed)) {
        e.printStackTrace(err);
      }
      err.flush();
      return USAGE;
    }
    err.println("jembed: error: " + oneLine(e));
    if (isVerbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return FAILURE;
  }

  private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    PrintWriter err = cl.getErr();
    printUsageError(err, cl, e);
    for (String a : args) {
      if ("--verbose".equals(a)) {
        e.printStackTrace(err);
        break;
      }
    }
    err.flush();
    return USAGE;
  }

  /** A usage error is one line: what was wrong, and where the command's help is. */
  private static void printUsageError(PrintWriter err, CommandLine cl, Exception e) {
    err.println(
        "jembed: " + oneLine(e) + "; see " + cl.getCommandSpec().qualifiedName(" ") + " --help");
  }

  private static boolean isVerbose(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /** The exception's message (or its cause's) on one line. */
  static String oneLine(Throwable e) {
    Throwable t = e;
    String msg = t.getMessage();
    while ((msg == null || msg.isBlank()) && t.getCause() != null) {
      t = t.getCause();
      msg = t.getMessage();
    }
    if (msg == null || msg.isBlank()) {
      msg = t.getClass().getSimpleName();
    }
    return msg.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  /** The project version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = JembedCli.class.getPackage().getImplementationVersion();
      return new String[] {"jembed " + (v == null ? "dev" : v)};
    }
  }

  /** One-line log records on stderr; debug detail only with --verbose. */
  static final class Logging {
    // held strongly: java.util.logging forgets the level of loggers nobody references
    private static final Logger DJL = Logger.getLogger("ai.djl");
    private static final Logger POOL = Logger.getLogger("com.zaxxer.hikari");

    private Logging() {}

    static void configure(String[] args) {
      boolean verbose = false;
      for (String a : args) {
        verbose |= "--verbose".equals(a);
      }
      System.setProperty("java.util.logging.SimpleFormatter.format", "jembed: %4$s: %5$s%6$s%n");
      LogManager.getLogManager().reset();
      Logger root = Logger.getLogger("");
      ConsoleHandler handler = new ConsoleHandler();
      handler.setFormatter(new SimpleFormatter());
      Level level = verbose ? Level.FINE : Level.WARNING;
      handler.setLevel(level);
      root.setLevel(level);
      root.addHandler(handler);
      // DJL's CUDA probe warns on every CPU-only machine: noise unless debugging
      DJL.setLevel(verbose ? Level.FINE : Level.SEVERE);
      // the PostgreSQL pool logs a failure with its stack trace; jembed's one-line error says it
      POOL.setLevel(verbose ? Level.FINE : Level.OFF);
    }
  }
}
