package io.jembed.engine;

import io.jembed.EmbeddingModel;
import io.jembed.JembedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs the batches of one encode call. Throughput: one or more workers, each taking batches in
 * order from a shared counter and running them on its session (several workers may share one
 * session: ONNX Runtime's Run is thread-safe, and the weights stay in memory once). Latency: an
 * encode that fits in one batch runs inline; when such encodes repeat, a latency session on all
 * cores is opened in the background and runs them from then on.
 */
final class BatchRunner implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EmbeddingModel.class.getName());

  /** Single-batch encodes seen before the latency session is opened (a one-shot CLI call: none). */
  private static final int LATENCY_SESSION_AFTER = 2;

  interface BatchTask {
    void run(OnnxTransformer session, int batch);
  }

  private final List<OnnxTransformer> workerSessions;
  private final Supplier<OnnxTransformer> latencyFactory;
  private final ExecutorService workers;
  private final AtomicInteger singleBatchCalls = new AtomicInteger();
  private volatile OnnxTransformer latencySession;
  private CompletableFuture<OnnxTransformer> latencyLoad;
  private boolean closed;

  /**
   * @param workerSessions the session of each worker (the same session may appear several times)
   * @param latencyFactory opens the latency session, or null to run single batches on a worker's
   */
  BatchRunner(List<OnnxTransformer> workerSessions, Supplier<OnnxTransformer> latencyFactory) {
    this.workerSessions = List.copyOf(workerSessions);
    this.latencyFactory = latencyFactory;
    this.workers =
        workerSessions.size() == 1
            ? null
            : Executors.newFixedThreadPool(
                workerSessions.size(),
                r -> {
                  Thread t = new Thread(r, "jembed-inference");
                  t.setDaemon(true);
                  return t;
                });
  }

  boolean latencySessionReady() {
    return latencySession != null;
  }

  void run(int batches, BatchTask task) {
    if (batches == 1) {
      OnnxTransformer latency = latencySession;
      if (latency == null) {
        latency = workerSessions.get(0);
        if (latencyFactory != null && singleBatchCalls.incrementAndGet() == LATENCY_SESSION_AFTER) {
          openLatencySession();
        }
      }
      task.run(latency, 0);
      return;
    }
    if (workers == null) {
      for (int b = 0; b < batches; b++) {
        task.run(workerSessions.get(0), b);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (OnnxTransformer session : workerSessions) {
      futures.add(
          workers.submit(
              () -> {
                for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                  task.run(session, b);
                }
              }));
    }
    RuntimeException failure = null;
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        next.set(batches); // stop the other workers early
        if (failure == null) {
          failure =
              e.getCause() instanceof RuntimeException re
                  ? re
                  : new JembedException("inference failed: " + e.getCause(), e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        next.set(batches);
        failure = new JembedException("interrupted while encoding", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private synchronized void openLatencySession() {
    if (closed || latencyLoad != null) {
      return;
    }
    latencyLoad = new CompletableFuture<>();
    OpeningSessions.add(latencyLoad); // before the creation starts, so an exit waits for it
    CompletableFuture<OnnxTransformer> load = latencyLoad;
    Thread opener =
        new Thread(
            () -> {
              try {
                load.complete(latencyFactory.get());
              } catch (Throwable e) {
                load.completeExceptionally(e);
              }
            },
            "jembed-latency-session");
    opener.setDaemon(true);
    opener.start();
    latencyLoad.whenComplete(
        (session, error) -> {
          OpeningSessions.remove(load);
          if (error != null) {
            // single queries keep running on a worker's session, only a little slower
            LOG.log(System.Logger.Level.DEBUG, "latency session not opened: " + error.getMessage());
            return;
          }
          synchronized (this) {
            if (closed) {
              session.close();
            } else {
              latencySession = session;
            }
          }
        });
  }

  @Override
  public void close() {
    CompletableFuture<OnnxTransformer> load;
    synchronized (this) {
      closed = true;
      load = latencyLoad;
    }
    if (workers != null) {
      workers.shutdownNow();
    }
    if (load != null) {
      try {
        load.join(); // an opening session is closed by its completion handler
      } catch (RuntimeException ignored) {
        // it failed to open: nothing to close
      }
    }
    OnnxTransformer latency = latencySession;
    if (latency != null) {
      latencySession = null;
      latency.close();
    }
  }

  /**
   * Session creations in flight on background threads. At the JVM's exit, ONNX Runtime's own
   * shutdown hook releases its native environment, and the process crashes (SIGSEGV) if a session
   * is still being created under it. So the first background creation takes one more reference on
   * the environment (the hook's release then leaves it alive), and a shutdown hook of ours lets the
   * creations finish (well under a second) before the process ends.
   */
  private static final class OpeningSessions {
    private static final Set<CompletableFuture<?>> OPENING = ConcurrentHashMap.newKeySet();

    static {
      OnnxTransformer.holdEnvironmentUntilExit();
      Runtime.getRuntime()
          .addShutdownHook(new Thread(OpeningSessions::awaitAll, "jembed-await-opening-sessions"));
    }

    static void add(CompletableFuture<?> load) {
      OPENING.add(load);
    }

    static void remove(CompletableFuture<?> load) {
      OPENING.remove(load);
    }

    private static void awaitAll() {
      for (CompletableFuture<?> load : OPENING) {
        try {
          load.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          // failed or stuck: nothing more to wait for
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
