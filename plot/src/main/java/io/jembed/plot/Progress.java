package io.jembed.plot;

import io.jembed.ProgressListener;

/** Counts steps of a projection and tells the listener (if any). */
final class Progress {
  private final ProgressListener listener;
  private final long total;
  private long done;

  Progress(ProgressListener listener, long total) {
    this.listener = listener;
    this.total = total;
  }

  void step() {
    done++;
    if (listener != null) {
      listener.progress(Math.min(done, total), total);
    }
  }

  void finish() {
    if (listener != null && done < total) {
      done = total;
      listener.progress(total, total);
    }
  }
}
