package io.quackrunner.logs;

/** Receives a run's output live, in the order each stream produced it. */
@FunctionalInterface
public interface LogListener {
  /** A listener that drops everything. */
  LogListener NONE = (stream, buf, off, len) -> {};

  /**
   * Called with each chunk as it is read; the array is reused after the call returns.
   *
   * @param stream which stream the bytes came from
   * @param buf the bytes, valid in {@code [off, off + len)}
   */
  void onOutput(LogStream stream, byte[] buf, int off, int len);
}
