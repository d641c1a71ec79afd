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
 * Runs the batches of one encode call: inline on a single session, or spread over several sessions,
 * one worker thread each, taking batches in order from a shared counter.
 */
final class BatchRunner implements AutoCloseable {
  interface BatchTask {
    void run(OnnxTransformer session, int batch);
  }

  private final List<OnnxTransformer> sessions;
  private final ExecutorService workers;

  BatchRunner(List<OnnxTransformer> sessions) {
    this.sessions = sessions;
    this.workers =
        sessions.size() == 1
            ? null
            : Executors.newFixedThreadPool(
                sessions.size(),
                r -> {
                  Thread t = new Thread(r, "jembed-inference");
                  t.setDaemon(true);
                  return t;
                });
  }

  void run(int batches, BatchTask task) {
    if (workers == null || batches == 1) {
      for (int b = 0; b < batches; b++) {
        task.run(sessions.get(0), b);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (OnnxTransformer session : sessions) {
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
