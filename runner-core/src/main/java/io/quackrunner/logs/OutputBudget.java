package io.quackrunner.logs;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** The bytes of stdout plus stderr a run may still write; calls {@code onExceeded} once. */
public final class OutputBudget {
  private final AtomicLong left;
  private final AtomicBoolean exceeded = new AtomicBoolean();
  private final Runnable onExceeded;

  /** Creates a budget of {@code bytes} shared by both streams. */
  public OutputBudget(long bytes, Runnable onExceeded) {
    this.left = new AtomicLong(bytes);
    this.onExceeded = onExceeded;
  }

  /** Takes up to {@code n} bytes and returns how many may be kept; fires on the first shortfall. */
  long take(int n) {
    while (true) {
      long l = left.get();
      long granted = Math.min(l, n);
      if (left.compareAndSet(l, l - granted)) {
        if (granted < n && exceeded.compareAndSet(false, true)) {
          onExceeded.run();
        }
        return granted;
      }
    }
  }

  /** Returns whether the budget ran out. */
  public boolean exceeded() {
    return exceeded.get();
  }
}
