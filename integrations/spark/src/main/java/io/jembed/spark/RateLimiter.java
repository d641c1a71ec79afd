package io.jembed.spark;

/**
 * Hands out permits at a steady rate with a burst of one second's worth, like a token bucket. A
 * request larger than the burst is granted once the bucket is full and makes the following callers
 * wait for the debt: the rate holds over any stretch of time, whatever the request sizes.
 */
final class RateLimiter {
  private final double permitsPerNano;
  private final double maxStored;
  private double stored;
  private long nextFree;

  /** {@code permitsPerMinute} spread evenly; the bucket starts full. */
  RateLimiter(double permitsPerMinute) {
    if (!(permitsPerMinute > 0)) {
      throw new IllegalArgumentException("a rate must be positive, got " + permitsPerMinute);
    }
    this.permitsPerNano = permitsPerMinute / 60e9;
    this.maxStored = Math.max(1, permitsPerMinute / 60);
    this.stored = maxStored;
    this.nextFree = System.nanoTime();
  }

  /**
   * Reserves {@code permits}; returns how many nanoseconds the caller must wait before using them.
   */
  synchronized long reserve(double permits, long now) {
    if (now > nextFree) {
      stored = Math.min(maxStored, stored + (now - nextFree) * permitsPerNano);
      nextFree = now;
    }
    long wait = nextFree - now;
    double fromStored = Math.min(permits, stored);
    stored -= fromStored;
    nextFree += (long) Math.ceil((permits - fromStored) / permitsPerNano);
    return wait;
  }
}
