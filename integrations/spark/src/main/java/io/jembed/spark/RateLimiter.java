package io.jembed.spark;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Grants permits so that no minute ever sees more than {@code permitsPerMinute} and no second more
 * than a sixtieth of it: a provider's per-minute limit is kept exactly, and spread over the minute
 * rather than spent in its first second. Callers are served in order; a request larger than a
 * window's whole budget is granted alone in that window.
 */
final class RateLimiter {
  private static final long SECOND = 1_000_000_000L;

  private final Window perSecond;
  private final Window perMinute;
  private long lastGrant = Long.MIN_VALUE;

  RateLimiter(double permitsPerMinute) {
    if (!(permitsPerMinute > 0)) {
      throw new IllegalArgumentException("a rate must be positive, got " + permitsPerMinute);
    }
    perSecond = new Window(SECOND, permitsPerMinute / 60);
    perMinute = new Window(60 * SECOND, permitsPerMinute);
  }

  /**
   * Takes {@code permits} at time {@code now} (nanoseconds); returns how long the caller must wait
   * before it uses them.
   */
  synchronized long reserve(double permits, long now) {
    long at = Math.max(now, lastGrant);
    while (true) {
      long later = perMinute.earliest(permits, perSecond.earliest(permits, at));
      if (later == at) {
        break;
      }
      at = later;
    }
    perSecond.add(at, permits);
    perMinute.add(at, permits);
    lastGrant = at;
    return at - now;
  }

  /** The grants of the last window length, oldest first. */
  private static final class Window {
    private final long length;
    private final double limit;
    private final ArrayDeque<Grant> grants = new ArrayDeque<>();
    private double sum;

    private record Grant(long at, double permits) {}

    Window(long length, double limit) {
      this.length = length;
      this.limit = limit;
    }

    /**
     * The first time from {@code at} on when {@code permits} more fit in the window ending then.
     */
    long earliest(double permits, long at) {
      while (!grants.isEmpty() && grants.peekFirst().at() <= at - length) {
        sum -= grants.pollFirst().permits();
      }
      if (grants.isEmpty()) {
        sum = 0; // no rounding left over from the sums
      }
      double inWindow = sum;
      long time = at;
      Iterator<Grant> oldest = grants.iterator();
      while (oldest.hasNext() && inWindow + permits > limit) {
        Grant grant = oldest.next();
        inWindow -= grant.permits();
        time = grant.at() + length; // when that grant leaves the window
      }
      return time;
    }

    void add(long at, double permits) {
      grants.addLast(new Grant(at, permits));
      sum += permits;
    }
  }
}
