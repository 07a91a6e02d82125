package io.quackrunner.logs;

/** The two output streams of a run. */
public enum LogStream {
  STDOUT,
  STDERR;

  /** Returns {@code stdout} or {@code stderr}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
