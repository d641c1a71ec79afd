package io.jembed.server;

import io.jembed.EmbeddingModel;
import io.jembed.Embeddings;
import io.jembed.EncodeOptions;
import io.jembed.InputType;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
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
 * <p>Admission is by tokens, as text-embeddings-inference does: the queue holds at most {@code
 * maxQueueTokens}, and a request is refused at once (429) when the work it would wait behind takes
 * longer than {@code maxQueueWait} at the rate the model has been encoding. A request whose client
 * left or whose deadline passed is dropped before its inputs are encoded.
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

  /** Queue limits; {@link #UNLIMITED} admits everything (tests of batching alone). */
  record Limits(int maxBatchTokens, long maxQueueTokens, Duration maxQueueWait, Duration maxWait) {
    static Limits batchOnly(int maxBatchTokens) {
      return new Limits(maxBatchTokens, Long.MAX_VALUE, Duration.ofDays(1), Duration.ZERO);
    }
  }

  /**
   * Most inputs in one model call. A merged batch holds sentences of random lengths (unlike an
   * offline corpus sorted as a whole), so it is cut into runs of similar length: padding to the
   * longest of 32 random STS sentences cost a third of the throughput in the load test.
   */
  static final int MAX_GROUP = EncodeOptions.DEFAULT_BATCH_SIZE;

  /**
   * Most tokens in one model call: 32 sentences of 64 tokens, or 8 inputs at 256. Bounds how long
   * one call runs, which is how late a dropped request or a shutdown can take effect.
   */
  static final int MAX_GROUP_TOKENS = 2048;

  private final String name;
  private final EmbeddingModel model;
  private final Limits limits;
  private final long maxWaitNanos;
  private final Metrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition stopped = lock.newCondition();
  private final ArrayDeque<BatchJob> jobs = new ArrayDeque<>();
  private final Thread thread;
  private long pendingInputs;
  private long pendingTokens;
  private List<Item> runningBatch = List.of(); // the batch being encoded, longest first
  private int runningNext; // its first item not encoded yet
  private int lastBatchSize;
  private double tokensPerSecond; // 0 until the first model call has been timed
  private double recentTokens;
  private double recentNanos;
  private boolean closing;
  private boolean stopNow;
  private boolean running = true;

  Batcher(String name, EmbeddingModel model, int maxBatchTokens, Metrics metrics) {
    this(name, model, Limits.batchOnly(maxBatchTokens), metrics);
  }

  /**
   * @param limits batch and queue limits; {@code maxWait} is how long a batch may wait for the
   *     clients of the previous batch to come back (they send their next request as soon as they
   *     have their answer); zero never waits
   */
  Batcher(String name, EmbeddingModel model, Limits limits, Metrics metrics) {
    this.name = name;
    this.model = model;
    this.limits = limits;
    this.maxWaitNanos = limits.maxWait().toNanos();
    this.metrics = metrics;
    this.thread =
        Thread.ofPlatform().name("jembed-batcher-" + name).daemon(true).unstarted(this::run);
    String label = "{model=\"" + Metrics.escape(name) + "\"}";
    metrics.gauge("jembed_queue_inputs" + label, this::pendingInputs);
    metrics.gauge("jembed_queue_tokens" + label, this::pendingTokens);
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

  long pendingTokens() {
    lock.lock();
    try {
      return pendingTokens;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses at once, before any tokens are counted, a request of {@code inputs} inputs that would
   * wait too long behind the queue whatever its own length.
   */
  void precheck(int inputs) {
    lock.lock();
    try {
      refuseIfClosing();
      refuseIfQueueFull(inputs); // every input is at least one token
      refuseIfTooLongAWait(tokensAhead(inputs));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Texts ready for the queue.
   *
   * @param tokenCounts tokens per text, at most the model's maximum when it truncates; the budget
   * @param truncated which texts were already cut short before encoding (null: none)
   */
  record Inputs(List<String> texts, int[] tokenCounts, boolean[] truncated) {
    Inputs {
      if (tokenCounts.length != texts.size()
          || (truncated != null && truncated.length != texts.size())) {
        throw new IllegalArgumentException("one token count per text");
      }
    }

    Inputs(List<String> texts, int[] tokenCounts) {
      this(texts, tokenCounts, null);
    }
  }

  /**
   * Queues texts for encoding, or refuses them at once.
   *
   * @param deadlineNanos {@link System#nanoTime()} after which the request's queued inputs are
   *     dropped
   * @throws ApiException 429 when the queue is full or the wait would be too long, 422 when the
   *     request alone is larger than the whole queue, 503 when shutting down
   */
  BatchJob submit(Inputs inputs, Key key, long deadlineNanos) {
    BatchJob job = new BatchJob(this, inputs, key, deadlineNanos);
    int n = inputs.texts().size();
    if (n == 0) {
      job.future.complete(new Result(new float[0][], new int[0], 0, 0));
      return job;
    }
    long tokens = job.cumulativeTokens[n];
    lock.lock();
    try {
      refuseIfClosing();
      if (tokens > limits.maxQueueTokens()) {
        throw ApiException.invalid(
            "the request holds "
                + tokens
                + " tokens, more than the server queues at once ("
                + limits.maxQueueTokens()
                + "); send fewer inputs per request");
      }
      refuseIfQueueFull(tokens);
      refuseIfTooLongAWait(tokensAhead(n));
      jobs.addLast(job);
      pendingInputs += n;
      pendingTokens += tokens;
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
    return job;
  }

  private void refuseIfQueueFull(long tokens) {
    if (pendingTokens > 0 && pendingTokens + tokens > limits.maxQueueTokens()) {
      throw ApiException.overloaded(
          "model "
              + name
              + " is overloaded: "
              + pendingTokens
              + " tokens queued (limit "
              + limits.maxQueueTokens()
              + "); retry later",
          retryAfterSeconds(pendingTokens));
    }
  }

  private void refuseIfClosing() {
    if (closing) {
      throw ApiException.shuttingDown();
    }
  }

  private void refuseIfTooLongAWait(long ahead) {
    if (tokensPerSecond <= 0 || ahead == 0) {
      return; // nothing measured yet, or nothing to wait for
    }
    double seconds = ahead / tokensPerSecond;
    if (seconds * 1e9 > limits.maxQueueWait().toNanos()) {
      throw ApiException.overloaded(
          String.format(
              java.util.Locale.ROOT,
              "model %s is overloaded: about %.1f s of work is queued (limit %.1f s); retry later",
              name,
              seconds,
              limits.maxQueueWait().toMillis() / 1000.0),
          retryAfterSeconds(ahead));
    }
  }

  private long retryAfterSeconds(long tokens) {
    if (tokensPerSecond <= 0) {
      return 1;
    }
    return Math.max(1, Math.min(60, (long) Math.ceil(tokens / tokensPerSecond)));
  }

  /**
   * Tokens encoded before the last of {@code inputs} new inputs, round-robin: the batch running now
   * and, from each queued request, as many inputs as the new one has.
   */
  private long tokensAhead(int inputs) {
    long ahead = 0;
    for (int i = runningNext; i < runningBatch.size(); i++) {
      Item item = runningBatch.get(i);
      if (!item.job.future.isDone()) { // a dropped request's inputs will be skipped
        ahead += item.cost;
      }
    }
    for (BatchJob job : jobs) {
      int upTo = Math.min(job.texts.size(), job.next + inputs);
      ahead += job.cumulativeTokens[upTo] - job.cumulativeTokens[job.next];
    }
    return ahead;
  }

  private void run() {
    try {
      while (true) {
        List<Item> batch;
        lock.lock();
        try {
          while (jobs.isEmpty() && !closing) {
            notEmpty.awaitUninterruptibly();
          }
          if (jobs.isEmpty() || stopNow) {
            return; // closing and drained, or told to stop
          }
          awaitFullerBatch();
          batch = takeBatch();
          lastBatchSize = batch.size();
        } finally {
          lock.unlock();
        }
        if (!batch.isEmpty()) {
          encode(batch);
        }
      }
    } finally {
      lock.lock();
      try {
        running = false;
        stopped.signalAll();
      } finally {
        lock.unlock();
      }
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
        && pendingTokens < limits.maxBatchTokens()
        && remaining > 0) {
      try {
        remaining = notEmpty.awaitNanos(remaining);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Round-robin over waiting requests with the head's options, up to the token budget. Requests
   * whose client left or whose deadline passed are dropped on the way.
   */
  private List<Item> takeBatch() {
    dropDeadJobs(System.nanoTime());
    List<Item> batch = new ArrayList<>();
    if (jobs.isEmpty()) {
      return batch;
    }
    Key key = jobs.peekFirst().key;
    long tokens = 0;
    boolean progress = true;
    boolean full = false;
    while (progress && !full) {
      progress = false;
      for (Iterator<BatchJob> it = jobs.iterator(); it.hasNext(); ) {
        BatchJob job = it.next();
        if (!job.key.equals(key)) {
          continue;
        }
        int cost = job.tokenCounts[job.next];
        if (!batch.isEmpty() && tokens + cost > limits.maxBatchTokens()) {
          full = true;
          break;
        }
        batch.add(new Item(job, job.next, cost));
        tokens += cost;
        job.next++;
        pendingInputs--;
        pendingTokens -= cost;
        progress = true;
        if (job.next == job.texts.size()) {
          it.remove(); // every input taken; the job completes when its last batch returns
        }
      }
    }
    return batch;
  }

  /** Removes queued requests that are already answered (client gone, deadline, failure). */
  private void dropDeadJobs(long now) {
    for (Iterator<BatchJob> it = jobs.iterator(); it.hasNext(); ) {
      BatchJob job = it.next();
      if (!job.future.isDone() && now - job.deadlineNanos > 0) {
        job.future.completeExceptionally(new BatchJob.Dropped(BatchJob.DropReason.DEADLINE));
      }
      if (job.future.isDone()) {
        it.remove();
        unqueue(job);
      }
    }
  }

  /** Drops what is left of a request: its queued inputs are never encoded. */
  void drop(BatchJob job, BatchJob.DropReason reason) {
    if (!job.future.completeExceptionally(new BatchJob.Dropped(reason))) {
      return; // answered already
    }
    lock.lock();
    try {
      if (jobs.remove(job)) {
        unqueue(job);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes what is left of a job out of the queue counts (lock held, job already removed). */
  private void unqueue(BatchJob job) {
    int left = job.texts.size() - job.next;
    pendingInputs -= left;
    pendingTokens -= job.cumulativeTokens[job.texts.size()] - job.cumulativeTokens[job.next];
    metrics.dropped(name, job.droppedReason(), left);
    job.next = job.texts.size();
  }

  private void encode(List<Item> batch) {
    // longest first, as the engine does: padding stays small
    batch.sort(Comparator.comparingInt((Item i) -> i.cost).reversed());
    setRunning(batch, 0);
    long now = System.nanoTime();
    String label = "model=\"" + Metrics.escape(name) + "\"";
    int tokens = 0;
    for (Item item : batch) {
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
        List<Item> group = liveItems(batch.subList(from, to));
        from = to;
        int done = to;
        if (stopRequested()) {
          failAll(
              batch.subList(from, batch.size()),
              new BatchJob.Dropped(BatchJob.DropReason.SHUTDOWN));
          failAll(group, new BatchJob.Dropped(BatchJob.DropReason.SHUTDOWN));
          return;
        }
        if (group.isEmpty()) {
          setRunning(batch, done);
          continue; // every request in this run was dropped: its work is skipped
        }
        List<String> texts = new ArrayList<>(group.size());
        int groupTokens = 0;
        for (Item item : group) {
          texts.add(item.job.texts.get(item.index));
          groupTokens += item.cost;
        }
        long t0 = System.nanoTime();
        Embeddings embeddings;
        try {
          embeddings = model.encode(texts, group.get(0).job.key.options(group.size()));
        } catch (RuntimeException | Error e) {
          failAll(group, e);
          failAll(batch.subList(from, batch.size()), e);
          return;
        } finally {
          timedRun(groupTokens, System.nanoTime() - t0);
          setRunning(batch, done);
        }
        deliver(group, embeddings);
      }
    } finally {
      setRunning(List.of(), 0);
      metrics.latency("inference", label, System.nanoTime() - now);
    }
  }

  /** The items of a run whose requests still wait for them; the others are counted as dropped. */
  private List<Item> liveItems(List<Item> run) {
    List<Item> live = new ArrayList<>(run.size());
    for (Item item : run) {
      if (item.job.future.isDone()) {
        metrics.dropped(name, item.job.droppedReason(), 1);
      } else {
        live.add(item);
      }
    }
    return live;
  }

  /**
   * Updates the encoding rate: tokens per second of model calls, as moving averages of tokens and
   * of time (so long calls weigh more than short ones, and the rate follows a machine that slows
   * down or speeds up).
   */
  private void timedRun(int tokens, long nanos) {
    lock.lock();
    try {
      if (nanos > 0) {
        recentTokens = recentTokens == 0 ? tokens : 0.9 * recentTokens + 0.1 * tokens;
        recentNanos = recentNanos == 0 ? nanos : 0.9 * recentNanos + 0.1 * nanos;
        tokensPerSecond = recentTokens / (recentNanos / 1e9);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The batch being encoded and how far (for the wait that new requests can expect). */
  private void setRunning(List<Item> batch, int next) {
    lock.lock();
    try {
      runningBatch = batch;
      runningNext = next;
    } finally {
      lock.unlock();
    }
  }

  private boolean stopRequested() {
    lock.lock();
    try {
      return stopNow;
    } finally {
      lock.unlock();
    }
  }

  /**
   * End of the run starting at {@code from} in a longest-first batch: at most {@link #MAX_GROUP}
   * inputs and {@link #MAX_GROUP_TOKENS} tokens, none more than an eighth (at least 2 tokens)
   * shorter than the first.
   */
  static int groupEnd(List<Item> sorted, int from) {
    int first = sorted.get(from).cost;
    int slack = Math.max(2, first / 8);
    int maxInputs = Math.min(MAX_GROUP, Math.max(1, MAX_GROUP_TOKENS / Math.max(1, first)));
    int to = from + 1;
    while (to < sorted.size() && to - from < maxInputs && first - sorted.get(to).cost <= slack) {
      to++;
    }
    return to;
  }

  private void deliver(List<Item> group, Embeddings embeddings) {
    int[] counts = embeddings.tokenCounts();
    for (int k = 0; k < group.size(); k++) {
      Item item = group.get(k);
      BatchJob job = item.job;
      if (job.future.isDone()) {
        continue; // failed in an earlier group, or dropped meanwhile
      }
      job.vectors[item.index] = embeddings.get(k);
      job.outTokens[item.index] = counts == null ? Math.max(1, item.cost) : counts[k];
      if (embeddings.truncated(k)) {
        job.truncated[item.index] = true;
      }
      if (++job.done == job.texts.size()) {
        long total = 0;
        int truncated = 0;
        for (int i = 0; i < job.outTokens.length; i++) {
          total += job.outTokens[i];
          truncated += job.truncated[i] ? 1 : 0;
        }
        metrics.encoded(job.texts.size(), total, truncated);
        job.future.complete(new Result(job.vectors, job.outTokens, truncated, total));
      }
    }
  }

  private void failAll(List<Item> items, Throwable e) {
    lock.lock();
    try {
      for (Item item : items) {
        if (item.job.future.completeExceptionally(e) && jobs.remove(item.job)) {
          unqueue(item.job); // skip what is left of a failed request
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Stops taking work and finishes what is queued (the model stays open). */
  @Override
  public void close() {
    close(Long.MAX_VALUE);
  }

  /**
   * Stops taking work; queued requests are encoded until {@code deadlineNanos}, then the rest are
   * dropped (answered 503) and the model call running then is the last. Returns once the batcher
   * thread has ended, or at the deadline plus {@code slack} if a model call still runs.
   */
  void close(long deadlineNanos) {
    lock.lock();
    try {
      closing = true;
      notEmpty.signalAll();
      awaitStopped(deadlineNanos);
      if (running) {
        stopNow = true;
        for (BatchJob job : jobs) {
          job.future.completeExceptionally(new BatchJob.Dropped(BatchJob.DropReason.SHUTDOWN));
        }
        dropDeadJobs(System.nanoTime());
        notEmpty.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the batcher thread to end, at most until {@code deadlineNanos}. */
  boolean awaitStopped(long deadlineNanos) {
    lock.lock();
    try {
      while (running) {
        long left =
            deadlineNanos == Long.MAX_VALUE
                ? TimeUnit.MINUTES.toNanos(1)
                : deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          stopped.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  record Item(BatchJob job, int index, int cost) {}
}
