package io.jembed.engine;

import io.jembed.JembedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the batches of one encode call. Throughput: one or more workers, each taking batches in
 * order from a shared counter and running them on its session (several workers may share one
 * session: ONNX Runtime's Run is thread-safe, and the weights stay in memory once). Latency: an
 * encode that fits in one batch runs inline on the latency session, which uses every core.
 */
final class BatchRunner implements AutoCloseable {
  interface BatchTask {
    void run(OnnxTransformer session, int batch);
  }

  private final List<OnnxTransformer> workerSessions;
  private final OnnxTransformer latencySession;
  private final ExecutorService workers;

  /**
   * @param workerSessions the session of each worker (the same session may appear several times)
   * @param latencySession the session for single-batch encodes (may be one of the worker sessions)
   */
  BatchRunner(List<OnnxTransformer> workerSessions, OnnxTransformer latencySession) {
    this.workerSessions = List.copyOf(workerSessions);
    this.latencySession = latencySession;
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

  void run(int batches, BatchTask task) {
    if (batches == 1) {
      task.run(latencySession, 0);
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

  @Override
  public void close() {
    if (workers != null) {
      workers.shutdownNow();
    }
  }
}
