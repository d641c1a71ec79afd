package io.jembed.server;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.InputType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching for one model: inputs of concurrent requests are merged into one model call
 * under a token budget, sorted by length, and the vectors are split back to their requests.
 *
 * <p>Fairness: a batch is filled round-robin, one input per waiting request per pass, so a request
 * with a thousand inputs shares every batch with the single-sentence requests that arrive after it
 * instead of making them wait for all of it.
 *
 * <p>The queue is bounded by the server's admission limit (requests in flight x inputs per
 * request), so it never grows without bound.
 */
final class Batcher implements AutoCloseable {

  /** Inputs encoded together must share these options. */
  record Key(Boolean normalize, Integer dimensions, InputType inputType, String promptName) {
    static final Key DEFAULT = new Key(null, null, InputType.NONE, null);

    EncodeOptions options(int batchSize) {
      return EncodeOptions.builder()
          .batchSize(batchSize)
          .normalize(normalize)
          .truncateDim(dimensions)
          .inputType(inputType)
          .promptName(promptName)
          .build();
    }
  }

  /** What one request gets back: vectors in input order and what happened on the way. */
  record Result(float[][] vectors, int[] tokenCounts, int truncatedCount, long totalTokens) {}

  /**
   * Most inputs in one model call. A merged batch holds sentences of random lengths (unlike an
   * offline corpus sorted as a whole), so it is cut into runs of similar length: padding to the
   * longest of 32 random STS sentences cost a third of the throughput in the load test.
   */
  static final int MAX_GROUP = EncodeOptions.DEFAULT_BATCH_SIZE;

  private final String name;
  private final EmbeddingModel model;
  private final int maxBatchTokens;
  private final long maxWaitNanos;
  private final Metrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final ArrayDeque<Job> jobs = new ArrayDeque<>();
  private final Thread thread;
  private long pendingInputs;
  private long pendingTokens;
  private int lastBatchSize;
  private boolean closing;

  Batcher(String name, EmbeddingModel model, int maxBatchTokens, Metrics metrics) {
    this(name, model, maxBatchTokens, java.time.Duration.ZERO, metrics);
  }

  /**
   * @param maxWait how long a batch may wait for the clients of the previous batch to come back
   *     (they send their next request as soon as they have their answer); zero never waits
   */
  Batcher(
      String name,
      EmbeddingModel model,
      int maxBatchTokens,
      java.time.Duration maxWait,
      Metrics metrics) {
    this.name = name;
    this.model = model;
    this.maxBatchTokens = maxBatchTokens;
    this.maxWaitNanos = maxWait.toNanos();
    this.metrics = metrics;
    this.thread =
        Thread.ofPlatform().name("jembed-batcher-" + name).daemon(true).unstarted(this::run);
    metrics.gauge(
        "jembed_queue_inputs{model=\"" + Metrics.escape(name) + "\"}", this::pendingInputs);
    thread.start();
  }

  String name() {
    return name;
  }

  EmbeddingModel model() {
    return model;
  }

  long pendingInputs() {
    lock.lock();
    try {
      return pendingInputs;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues texts for encoding.
   *
   * @param tokenCounts tokens per text as counted before truncation; used for the budget
   */
  CompletableFuture<Result> submit(List<String> texts, int[] tokenCounts, Key key) {
    Job job = new Job(texts, tokenCounts, key, System.nanoTime());
    lock.lock();
    try {
      if (closing) {
        throw new ApiException(503, "shutting_down", "the server is shutting down");
      }
      if (texts.isEmpty()) {
        job.future.complete(new Result(new float[0][], new int[0], 0, 0));
        return job.future;
      }
      jobs.addLast(job);
      pendingInputs += texts.size();
      for (int t : tokenCounts) {
        pendingTokens += t;
      }
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
    return job.future;
  }

  private void run() {
    while (true) {
      List<Item> batch;
      lock.lock();
      try {
        while (jobs.isEmpty() && !closing) {
          notEmpty.awaitUninterruptibly();
        }
        if (jobs.isEmpty()) {
          return; // closing and drained
        }
        awaitFullerBatch();
        batch = takeBatch();
        pendingInputs -= batch.size();
        for (Item item : batch) {
          pendingTokens -= item.cost;
        }
        lastBatchSize = batch.size();
      } finally {
        lock.unlock();
      }
      encode(batch);
    }
  }

  /**
   * Under steady load the previous batch's clients send again right after their answers; a batch
   * taken the instant the first of them arrives would run nearly empty and make the rest wait a
   * whole model call. So wait briefly while fewer inputs are queued than the last batch held.
   */
  private void awaitFullerBatch() {
    if (maxWaitNanos <= 0) {
      return;
    }
    long remaining = maxWaitNanos;
    while (!closing
        && pendingInputs < lastBatchSize
        && pendingTokens < maxBatchTokens
        && remaining > 0) {
      try {
        remaining = notEmpty.awaitNanos(remaining);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Round-robin over waiting requests with the head's options, up to the token budget. */
  private List<Item> takeBatch() {
    Key key = jobs.peekFirst().key;
    List<Item> batch = new ArrayList<>();
    long tokens = 0;
    boolean progress = true;
    boolean full = false;
    while (progress && !full) {
      progress = false;
      for (Iterator<Job> it = jobs.iterator(); it.hasNext(); ) {
        Job job = it.next();
        if (!job.key.equals(key)) {
          continue;
        }
        int cost = job.tokenCounts[job.next];
        if (!batch.isEmpty() && tokens + cost > maxBatchTokens) {
          full = true;
          break;
        }
        batch.add(new Item(job, job.next, cost));
        tokens += cost;
        job.next++;
        progress = true;
        if (job.next == job.texts.size()) {
          it.remove(); // every input taken; the job completes when its last batch returns
        }
      }
    }
    return batch;
  }

  private void encode(List<Item> batch) {
    // longest first, as the engine does: padding stays small
    batch.sort(Comparator.comparingInt((Item i) -> i.cost).reversed());
    List<String> texts = new ArrayList<>(batch.size());
    int tokens = 0;
    long now = System.nanoTime();
    String label = "model=\"" + Metrics.escape(name) + "\"";
    for (Item item : batch) {
      texts.add(item.job.texts.get(item.index));
      tokens += item.cost;
      if (item.index == 0) {
        metrics.latency("queue", label, now - item.job.enqueuedNanos);
      }
    }
    metrics.batch(name, batch.size(), tokens);
    try {
      // one model call per run of similar lengths: padding stays small in random arrivals
      int from = 0;
      while (from < batch.size()) {
        int to = groupEnd(batch, from);
        Embeddings embeddings;
        try {
          embeddings =
              model.encode(texts.subList(from, to), batch.get(0).job.key.options(to - from));
        } catch (RuntimeException | Error e) {
          failAll(batch.subList(from, batch.size()), e);
          return;
        }
        deliver(batch.subList(from, to), embeddings);
        from = to;
      }
    } finally {
      metrics.latency("inference", label, System.nanoTime() - now);
    }
  }

  /**
   * End of the run starting at {@code from} in a longest-first batch: at most {@link #MAX_GROUP}
   * inputs, none more than an eighth (at least 2 tokens) shorter than the first.
   */
  static int groupEnd(List<Item> sorted, int from) {
    int first = sorted.get(from).cost;
    int slack = Math.max(2, first / 8);
    int to = from + 1;
    while (to < sorted.size() && to - from < MAX_GROUP && first - sorted.get(to).cost <= slack) {
      to++;
    }
    return to;
  }

  private void deliver(List<Item> group, Embeddings embeddings) {
    int[] counts = embeddings.tokenCounts();
    for (int k = 0; k < group.size(); k++) {
      Item item = group.get(k);
      Job job = item.job;
      if (job.future.isDone()) {
        continue; // failed in an earlier group
      }
      job.vectors[item.index] = embeddings.get(k);
      job.outTokens[item.index] = counts == null ? Math.max(1, item.cost) : counts[k];
      if (embeddings.truncated(k)) {
        job.truncated++;
      }
      if (++job.done == job.texts.size()) {
        long total = 0;
        for (int t : job.outTokens) {
          total += t;
        }
        metrics.encoded(job.texts.size(), total, job.truncated);
        job.future.complete(new Result(job.vectors, job.outTokens, job.truncated, total));
      }
    }
  }

  private void failAll(List<Item> batch, Throwable e) {
    lock.lock();
    try {
      for (Item item : batch) {
        if (item.job.future.completeExceptionally(e)) {
          // skip what is left of a failed request
          if (jobs.remove(item.job)) {
            pendingInputs -= item.job.texts.size() - item.job.next;
            for (int i = item.job.next; i < item.job.texts.size(); i++) {
              pendingTokens -= item.job.tokenCounts[i];
            }
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Stops taking work, finishes what is queued, then returns (the model stays open). */
  @Override
  public void close() {
    lock.lock();
    try {
      closing = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(TimeUnit.MINUTES.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class Job {
    final List<String> texts;
    final int[] tokenCounts;
    final Key key;
    final long enqueuedNanos;
    final float[][] vectors;
    final int[] outTokens;
    final CompletableFuture<Result> future = new CompletableFuture<>();
    int next;
    int done;
    int truncated;

    Job(List<String> texts, int[] tokenCounts, Key key, long enqueuedNanos) {
      if (tokenCounts.length != texts.size()) {
        throw new IllegalArgumentException("one token count per text");
      }
      this.texts = texts;
      this.tokenCounts = Arrays.copyOf(tokenCounts, tokenCounts.length);
      this.key = key;
      this.enqueuedNanos = enqueuedNanos;
      this.vectors = new float[texts.size()][];
      this.outTokens = new int[texts.size()];
    }
  }

  private record Item(Job job, int index, int cost) {}
}
