package io.jembed;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most every 100 ms, like tqdm: {@code Batches 42%
 * |████████▍ | 420/1000 [00:03<00:04, 140.0/s]}. Use it as a {@link ProgressListener}. When stderr
 * is not a terminal (a log file, CI), it prints one plain line every 10 seconds and at the end
 * instead of redrawing.
 */
public final class ConsoleProgressBar implements ProgressListener, AutoCloseable {
  private static final int WIDTH = 30;
  private final String label;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private long lastDraw = startNanos;
  private long lastDone = -1;
  private long lastTotal;
  private boolean drawn;
  private long drawnDone = -1;
  private final boolean interactive;
  private final long intervalNanos;

  public ConsoleProgressBar(String label) {
    this(label, System.err, stderrIsTerminal());
  }

  public ConsoleProgressBar(String label, PrintStream out) {
    this(label, out, true);
  }

  /**
   * @param interactive redraw in place with carriage returns (a terminal); otherwise print a line
   *     every 10 seconds
   */
  public ConsoleProgressBar(String label, PrintStream out, boolean interactive) {
    this.label = label;
    this.out = out;
    this.interactive = interactive;
    this.intervalNanos = interactive ? 100_000_000L : 10_000_000_000L;
  }

  /** Console.isTerminal() exists from JDK 22; on 21, a console exists only for a terminal. */
  private static boolean stderrIsTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  @Override
  public synchronized void progress(long done, long total) {
    lastDone = done;
    lastTotal = total;
    long now = System.nanoTime();
    if (done < total && (drawn || !interactive) && now - lastDraw < intervalNanos) {
      return;
    }
    lastDraw = now;
    draw(done, total, now);
  }

  private void draw(long done, long total, long now) {
    double seconds = Math.max((now - startNanos) / 1e9, 1e-9);
    double rate = done / seconds;
    double fraction = total <= 0 ? 1 : Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    String bar = "█".repeat(filled) + " ".repeat(WIDTH - filled);
    long remaining = rate > 0 ? Math.round((total - done) / rate) : 0;
    out.print(
        String.format(
            Locale.ROOT,
            (interactive ? "\r" : "")
                + "%s %3d%% |%s| %d/%d [%s<%s, %.1f/s]"
                + (interactive ? "" : "%n"),
            label,
            Math.round(fraction * 100),
            bar,
            done,
            total,
            clock(Math.round(seconds)),
            clock(remaining),
            rate));
    out.flush();
    drawn = true;
    drawnDone = done;
  }

  private static String clock(long seconds) {
    return String.format(Locale.ROOT, "%02d:%02d", seconds / 60, seconds % 60);
  }

  /** Draws the final state and ends the line. */
  @Override
  public synchronized void close() {
    if (lastDone >= 0) {
      if (drawnDone != lastDone) {
        draw(lastDone, lastTotal, System.nanoTime());
      }
      if (interactive) {
        out.println();
      }
      out.flush();
    }
  }
}
