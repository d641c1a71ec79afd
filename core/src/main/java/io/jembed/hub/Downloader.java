package io.jembed.hub;

import io.jembed.JembedException;
import io.jembed.ProgressListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads one URL to a file, so that a half-written file is never used: bytes go to {@code
 * <target>.incomplete}, which a later call resumes with an HTTP Range request (starting over when
 * the server ignores the range); the optional {@link Checksum} is verified; then the file is moved
 * into place atomically. A target that already exists (and matches the checksum, if one is given)
 * is returned without any request.
 *
 * <p>Timeouts: connecting, waiting for the response headers, and waiting for the next body bytes
 * each give up after {@link Builder#timeout(Duration)}. Credentials given with {@link
 * Builder#header(String, String)} (e.g. {@code Authorization}) are never sent to another origin
 * after a redirect and never appear in messages. Immutable and thread-safe; concurrent downloads of
 * the same target inside one JVM wait for each other.
 */
public final class Downloader {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final int BUFFER = 1 << 16;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
  private static final ScheduledExecutorService WATCHDOGS =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "jembed-download-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final HttpClient client;
  private final Duration timeout;
  private final Map<String, String> headers;

  private Downloader(Builder b) {
    this.timeout = b.timeout;
    this.headers = Map.copyOf(b.headers);
    this.client = b.client != null ? b.client : HttpSupport.newClient(timeout);
  }

  /** A downloader with a 30 s timeout and no extra headers. */
  public static Downloader create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The file a download in progress is written to: {@code <target>.incomplete}. */
  public static Path incompleteFile(Path target) {
    return target.resolveSibling(target.getFileName() + ".incomplete");
  }

  public Duration timeout() {
    return timeout;
  }

  /** Downloads {@code url} to {@code target} with no checksum and no progress. */
  public Path download(URI url, Path target) {
    return download(url, target, null, null);
  }

  /**
   * Downloads {@code url} to {@code target}.
   *
   * @param expected the digest the file must have, or null to accept any content
   * @param progress told bytes done and total (total is -1 when the server does not say), or null
   * @return {@code target}
   * @throws HttpStatusException when the server answers with an error status
   * @throws JembedException when the transfer fails, times out or the checksum does not match;
   *     after a transfer failure the partial file is kept so that the next call resumes
   */
  public Path download(URI url, Path target, Checksum expected, ProgressListener progress) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(target, "target");
    try (FileLocks.Held ignored = FileLocks.lockInJvm(target)) {
      if (Files.isRegularFile(target) && (expected == null || expected.matches(target))) {
        return target;
      }
      Path parent = target.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path incomplete = incompleteFile(target);
      boolean resumed = transfer(url, incomplete, expected, progress, true);
      if (expected != null) {
        String actual = expected.digestOf(incomplete);
        if (!actual.equals(expected.hex()) && resumed) {
          // the kept prefix may be what is wrong: one more try from the first byte
          Files.deleteIfExists(incomplete);
          transfer(url, incomplete, expected, progress, false);
          actual = expected.digestOf(incomplete);
        }
        if (!actual.equals(expected.hex())) {
          Files.deleteIfExists(incomplete);
          throw new JembedException(
              "Checksum mismatch for "
                  + url
                  + ": expected "
                  + expected
                  + " but the downloaded file has "
                  + expected.algorithm()
                  + ":"
                  + actual
                  + "; the file was discarded (nothing was written to "
                  + target
                  + ")");
        }
      }
      moveIntoPlace(incomplete, target);
      return target;
    } catch (IOException e) {
      throw new JembedException("Cannot write " + target + " (downloading " + url + "): " + e, e);
    }
  }

  /**
   * Writes {@code url}'s body to {@code incomplete}, resuming from what it already holds when
   * {@code mayResume}.
   *
   * @return whether the kept bytes were resumed (206) rather than the whole body fetched
   */
  private boolean transfer(
      URI url, Path incomplete, Checksum expected, ProgressListener progress, boolean mayResume)
      throws IOException {
    for (int attempt = 0; ; attempt++) {
      long kept = mayResume && Files.isRegularFile(incomplete) ? Files.size(incomplete) : 0;
      Map<String, String> request = new LinkedHashMap<>(headers);
      if (kept > 0) {
        request.put("Range", "bytes=" + kept + "-");
      }
      HttpResponse<InputStream> response = get(url, request);
      int status = response.statusCode();
      try (InputStream body = response.body()) {
        long total;
        boolean append;
        if (status == 206 && kept > 0) {
          long[] range =
              parseContentRange(response.headers().firstValue("content-range").orElse(""));
          if (range == null || range[0] != kept) {
            // not the range we asked for: start over without one
            Files.deleteIfExists(incomplete);
            if (attempt > 0) {
              throw new JembedException("Server sent an unexpected range for " + url);
            }
            continue;
          }
          total = range[2];
          append = true;
        } else if (status == 200) {
          total = response.headers().firstValueAsLong("content-length").orElse(-1);
          append = false;
          kept = 0;
        } else if (status == 416 && kept > 0 && attempt == 0) {
          // the kept bytes do not fit the file any more: start over
          Files.deleteIfExists(incomplete);
          continue;
        } else {
          throw new HttpStatusException(
              "Download of " + url + " failed: " + HttpSupport.status(status), url, status);
        }
        copy(url, body, incomplete, append, kept, total, progress);
        return append;
      }
    }
  }

  private HttpResponse<InputStream> get(URI url, Map<String, String> request) {
    try {
      return HttpSupport.send(
          client,
          "GET",
          url,
          request,
          timeout,
          HttpResponse.BodyHandlers.ofInputStream(),
          HttpSupport.RedirectPolicy.ALWAYS);
    } catch (HttpTimeoutException e) {
      throw new JembedException(
          "Download of " + url + " timed out after " + seconds(timeout) + " waiting for the server",
          e);
    } catch (IOException e) {
      throw new JembedException("Cannot download " + url + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JembedException("Download of " + url + " was interrupted", e);
    }
  }

  private void copy(
      URI url,
      InputStream body,
      Path incomplete,
      boolean append,
      long kept,
      long total,
      ProgressListener progress)
      throws IOException {
    long done = kept;
    StandardOpenOption mode =
        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
    try (OutputStream out =
            Files.newOutputStream(
                incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
        Watchdog watchdog = new Watchdog(timeout)) {
      if (progress != null) {
        progress.progress(done, total);
      }
      byte[] buffer = new byte[BUFFER];
      try {
        for (int n; (n = body.read(buffer)) >= 0; ) {
          watchdog.touch();
          out.write(buffer, 0, n);
          done += n;
          if (progress != null && n > 0) {
            progress.progress(done, total);
          }
        }
      } catch (IOException e) {
        out.flush();
        String why =
            watchdog.fired()
                ? "no data for " + seconds(timeout) + " (timeout)"
                : Thread.currentThread().isInterrupted() ? "interrupted" : describe(e);
        throw new JembedException(
            "Download of "
                + url
                + " stopped after "
                + done
                + (total >= 0 ? " of " + total : "")
                + " bytes: "
                + why
                + "; the partial file "
                + incomplete
                + " is kept and the next attempt resumes it",
            e);
      }
    }
    if (total >= 0 && done != total) {
      throw new JembedException(
          "Download of "
              + url
              + " ended after "
              + done
              + " of "
              + total
              + " bytes; the partial file "
              + incomplete
              + " is kept and the next attempt resumes it");
    }
  }

  /** {@code bytes start-end/total} as {start, end, total} (total -1 when "*"), or null. */
  static long[] parseContentRange(String header) {
    Matcher m = CONTENT_RANGE.matcher(header.strip());
    if (!m.matches()) {
      return null;
    }
    try {
      long start = Long.parseLong(m.group(1));
      long end = Long.parseLong(m.group(2));
      long total = "*".equals(m.group(3)) ? -1 : Long.parseLong(m.group(3));
      if (end < start || (total >= 0 && end >= total)) {
        return null;
      }
      return new long[] {start, end, total};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static void moveIntoPlace(Path source, Path target) throws IOException {
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  static String describe(Throwable e) {
    String message = e.getMessage();
    String name = e.getClass().getSimpleName();
    if (e instanceof java.net.ConnectException) {
      return "connection refused or unreachable" + (message == null ? "" : " (" + message + ")");
    }
    return message == null || message.isBlank() ? name : name + ": " + message;
  }

  /** Interrupts the reading thread when no bytes arrive for the timeout. */
  private static final class Watchdog implements AutoCloseable {
    private final Thread reader = Thread.currentThread();
    private final long idleNanos;
    private final ScheduledFuture<?> task;
    private volatile long lastActivity = System.nanoTime();
    private boolean fired;
    private boolean closed;

    Watchdog(Duration idle) {
      this.idleNanos = idle.toNanos();
      long period = Math.max(10, Math.min(1000, idle.toMillis() / 4));
      this.task = WATCHDOGS.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    void touch() {
      lastActivity = System.nanoTime();
    }

    private synchronized void check() {
      if (!closed && !fired && System.nanoTime() - lastActivity > idleNanos) {
        fired = true;
        reader.interrupt();
      }
    }

    synchronized boolean fired() {
      return fired;
    }

    @Override
    public synchronized void close() {
      closed = true;
      task.cancel(false);
      if (fired) {
        Thread.interrupted(); // the interrupt was ours, not the caller's
      }
    }
  }

  /**
   * {@code raw} without surrounding blanks and trailing slashes, checked to be an http(s) URL with
   * a host: the base URL of a remote (the Hub, a Maven repository). Errors name {@code what} and
   * show {@code example}.
   */
  static String httpBaseUrl(String raw, String what, String example) {
    String url = raw.strip();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    URI parsed;
    try {
      parsed = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new JembedException(what + " is not a URL: '" + url + "'", e);
    }
    if (parsed.getScheme() == null
        || !(parsed.getScheme().equals("http") || parsed.getScheme().equals("https"))
        || parsed.getHost() == null) {
      throw new JembedException(
          what + " must be an http(s) URL like " + example + ", got '" + url + "'");
    }
    return url;
  }

  /** Builder for {@link Downloader}. */
  public static final class Builder {
    private Duration timeout = DEFAULT_TIMEOUT;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private HttpClient client;

    private Builder() {}

    /** Connect, response and idle-body timeout; default 30 s. */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** A header sent with every request, e.g. {@code Authorization: Bearer ...}. */
    public Builder header(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isBlank() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("invalid header " + name);
      }
      headers.put(name, value);
      return this;
    }

    /** The client to use; it must not follow redirects itself (default: a new one). */
    public Builder httpClient(HttpClient client) {
      this.client = client;
      return this;
    }

    public Downloader build() {
      return new Downloader(this);
    }
  }
}
