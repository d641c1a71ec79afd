package io.jembed.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final long SECOND = 1_000_000_000L;

  record Grant(long at, int permits) {}

  /**
   * Callers arrive at the given gaps and each spends its permits once it has waited what it was
   * told: no minute holds more than the limit and no second more than a sixtieth of it (a request
   * larger than that is alone in its window).
   */
  @Property(tries = 300)
  void noMinuteAndNoSecondExceedItsShare(
      @ForAll @IntRange(min = 1, max = 5000) int perMinute,
      @ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long start,
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 1, max = 400) Integer> sizes,
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 0, max = 3000) Integer> gapsMillis) {
    RateLimiter limiter = new RateLimiter(perMinute);
    List<Grant> grants = new ArrayList<>();
    long now = start;
    for (int i = 0; i < sizes.size(); i++) {
      now += gapsMillis.get(i % gapsMillis.size()) * 1_000_000L;
      long wait = limiter.reserve(sizes.get(i), now);
      assertThat(wait).isNotNegative();
      grants.add(new Grant(now + wait, sizes.get(i)));
    }
    assertWindowsWithin(grants, 60 * SECOND, perMinute);
    assertWindowsWithin(grants, SECOND, perMinute / 60.0);
  }

  private static void assertWindowsWithin(List<Grant> grants, long length, double limit) {
    for (Grant first : grants) {
      List<Grant> window =
          grants.stream()
              .filter(g -> g.at() >= first.at() && g.at() < first.at() + length)
              .toList();
      long sum = window.stream().mapToLong(Grant::permits).sum();
      if (window.size() > 1) {
        assertThat((double) sum).isLessThanOrEqualTo(limit + 1e-9);
      }
    }
  }

  @Test
  void aSecondsShareAtOnceThenTheNextSecond() {
    RateLimiter limiter = new RateLimiter(600); // 10 a second
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.reserve(1, 0)).isZero();
    }
    assertThat(limiter.reserve(1, 0)).isEqualTo(SECOND);
    assertThat(limiter.reserve(1, SECOND / 2)).isEqualTo(SECOND / 2);
  }

  @Test
  void requestsLargerThanASecondsShareKeepToTheMinute() {
    RateLimiter limiter = new RateLimiter(120); // 2 a second, 120 a minute
    long now = 0;
    for (int i = 0; i < 24; i++) { // 5 permits each: one request a second
      now += limiter.reserve(5, now);
    }
    assertThat(now).isEqualTo(23 * SECOND);
    // the minute's 120 are spent: the next waits until the first grant has left it
    assertThat(now + limiter.reserve(5, now)).isEqualTo(60 * SECOND);
  }
}
