package io.jembed.hosted;

import java.time.Duration;

/** Waits between retries; tests replace it to observe backoff without waiting. */
@FunctionalInterface
interface Sleeper {
  Sleeper REAL = d -> Thread.sleep(d.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
