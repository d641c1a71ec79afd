package io.jembed.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request's inputs in a {@link Batcher}'s queue: how far it has been taken and encoded, and the
 * future that completes with its vectors, or with why it failed or was dropped. The batcher's lock
 * guards the counters.
 */
final class BatchJob {
  /** Why a request's remaining inputs were dropped instead of encoded. */
  enum DropReason {
    CLIENT_GONE("client_gone"),
    DEADLINE("deadline"),
    SHUTDOWN("shutdown");

    final String label;

    DropReason(String label) {
      this.label = label;
    }
  }

  /** Completes a dropped request's future. */
  static final class Dropped extends RuntimeException {
    final DropReason reason;

    Dropped(DropReason reason) {
      super(reason.label, null, false, false);
      this.reason = reason;
    }
  }

  private final Batcher batcher;
  final List<String> texts;
  final int[] tokenCounts;
  final long[] cumulativeTokens;
  final Batcher.Key key;
  final long enqueuedNanos = System.nanoTime();
  final long deadlineNanos;
  final float[][] vectors;
  final int[] outTokens;
  final boolean[] truncated;
  final CompletableFuture<Batcher.Result> future = new CompletableFuture<>();
  int next;
  int done;

  BatchJob(Batcher batcher, Batcher.Inputs inputs, Batcher.Key key, long deadlineNanos) {
    this.batcher = batcher;
    this.texts = inputs.texts();
    this.tokenCounts = inputs.tokenCounts().clone();
    this.cumulativeTokens = new long[texts.size() + 1];
    for (int i = 0; i < tokenCounts.length; i++) {
      cumulativeTokens[i + 1] = cumulativeTokens[i] + tokenCounts[i];
    }
    this.key = key;
    this.deadlineNanos = deadlineNanos;
    this.vectors = new float[texts.size()][];
    this.outTokens = new int[texts.size()];
    this.truncated =
        inputs.truncated() == null ? new boolean[texts.size()] : inputs.truncated().clone();
  }

  CompletableFuture<Batcher.Result> future() {
    return future;
  }

  /** Drops what is left of this request: its queued inputs are never encoded. */
  void drop(DropReason reason) {
    batcher.drop(this, reason);
  }

  /** The metrics label for why this job ended unencoded. */
  String droppedReason() {
    if (future.isCompletedExceptionally() && future.exceptionNow() instanceof Dropped d) {
      return d.reason.label;
    }
    return "failed";
  }
}
