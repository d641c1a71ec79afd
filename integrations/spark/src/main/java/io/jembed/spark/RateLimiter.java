package io.jembed.spark;

/**
 * Grants permits so that no minute ever sees more than {@code permitsPerMinute}: a bucket holding
 * at most one second's worth (the burst), refilled at the rest of the minute's budget. A caller
 * waits until its whole request is paid for, so a request larger than the burst is granted too,
 * only later, and the limit holds over any window of time, whatever the request sizes.
 */
final class RateLimiter {
  private final double permitsPerNano;
  private final double maxStored;
  private double stored;
  private long paidUntil;

  /** The bucket starts full. */
  RateLimiter(double permitsPerMinute, long now) {
    if (!(permitsPerMinute > 0)) {
      throw new IllegalArgumentException("a rate must be positive, got " + permitsPerMinute);
    }
    this.maxStored = permitsPerMinute / 60;
    this.permitsPerNano = (permitsPerMinute - maxStored) / 60e9;
    this.stored = maxStored;
    this.paidUntil = now;
  }

  /**
   * Takes {@code permits} at time {@code now} (nanoseconds); returns how long the caller must wait
   * before it uses them.
   */
  synchronized long reserve(double permits, long now) {
    if (now > paidUntil) {
      stored = Math.min(maxStored, stored + (now - paidUntil) * permitsPerNano);
      paidUntil = now;
    }
    double fromStored = Math.min(permits, stored);
    stored -= fromStored;
    paidUntil += (long) Math.ceil((permits - fromStored) / permitsPerNano);
    return paidUntil - now;
  }
}
