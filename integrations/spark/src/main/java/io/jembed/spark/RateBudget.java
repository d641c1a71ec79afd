package io.jembed.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A hosted provider's rate limits shared by the executors of a job: each executor takes an equal
 * share ({@code limit / executors}) and spends it through one limiter per model in its JVM, so all
 * its tasks together stay within the share, and all executors within the limit.
 *
 * @param requestsPerMinute the provider's request limit for the whole job; 0: none
 * @param tokensPerMinute the provider's token limit for the whole job; 0: none
 * @param executors how many executors share the limits (each gets 1/executors)
 */
record RateBudget(long requestsPerMinute, long tokensPerMinute, int executors)
    implements Serializable {
  static final RateBudget NONE = new RateBudget(0, 0, 1);

  private static final Map<Key, Limiters> LIMITERS = new ConcurrentHashMap<>();

  private record Key(ModelSpec model, RateBudget budget) {}

  private record Limiters(RateLimiter requests, RateLimiter tokens) {}

  RateBudget {
    if (requestsPerMinute < 0 || tokensPerMinute < 0) {
      throw new IllegalArgumentException("rate limits must not be negative");
    }
    if (executors < 1) {
      throw new IllegalArgumentException("executors must be at least 1, got " + executors);
    }
  }

  boolean limited() {
    return requestsPerMinute > 0 || tokensPerMinute > 0;
  }

  /**
   * Waits until this executor's share allows one request of about {@code tokens} tokens to {@code
   * model}; returns the milliseconds waited.
   */
  long acquire(ModelSpec model, long tokens) throws InterruptedException {
    if (!limited()) {
      return 0;
    }
    Limiters limiters = limiters(model);
    long now = System.nanoTime();
    long wait = 0;
    if (limiters.requests() != null) {
      wait = limiters.requests().reserve(1, now);
    }
    if (limiters.tokens() != null) {
      wait = Math.max(wait, limiters.tokens().reserve(tokens, now));
    }
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
    return TimeUnit.NANOSECONDS.toMillis(wait);
  }

  /** Charges tokens the provider counted beyond the estimate: later requests wait for them. */
  void charge(ModelSpec model, long extraTokens) {
    if (extraTokens > 0 && tokensPerMinute > 0) {
      limiters(model).tokens().reserve(extraTokens, System.nanoTime());
    }
  }

  private Limiters limiters(ModelSpec model) {
    return LIMITERS.computeIfAbsent(
        new Key(model, this),
        k -> new Limiters(limiter(requestsPerMinute), limiter(tokensPerMinute)));
  }

  /** This executor's share of a per-minute limit, or null for none. */
  private RateLimiter limiter(long perMinute) {
    return perMinute > 0 ? new RateLimiter((double) perMinute / executors) : null;
  }
}
