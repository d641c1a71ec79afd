package io.jembed;

/** Told how far an encode has got; called from the encoding thread. */
@FunctionalInterface
public interface ProgressListener {
  /**
   * @param done texts encoded so far
   * @param total texts in this call
   */
  void progress(long done, long total);
}
