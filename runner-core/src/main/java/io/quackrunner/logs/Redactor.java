package io.quackrunner.logs;

import java.util.Arrays;

/**
 * Replaces secret values in one output stream as it flows, including a value split across two
 * reads: bytes at the end of a chunk that could still be the start of a pattern are held back (at
 * most the longest pattern's length minus one) until the next chunk or the end of the stream
 * decides them. At one position the longest matching pattern wins; scanning resumes after it.
 */
public final class Redactor {
  /** Receives redacted bytes in order. */
  @FunctionalInterface
  public interface Sink {
    /** Takes {@code len} bytes of {@code buf} from {@code off}; the array may be reused after. */
    void accept(byte[] buf, int off, int len);
  }

  private final Redaction redaction;
  private byte[] held = new byte[0];
  private long count;

  Redactor(Redaction redaction) {
    this.redaction = redaction;
  }

  /** Returns how many occurrences were replaced so far. */
  public long count() {
    return count;
  }

  /** Redacts a chunk; what is decided goes to {@code sink}, the undecided tail is held back. */
  public void write(byte[] buf, int off, int len, Sink sink) {
    if (redaction.isEmpty()) {
      sink.accept(buf, off, len);
      return;
    }
    byte[] b;
    if (held.length == 0) {
      b = Arrays.copyOfRange(buf, off, off + len);
    } else {
      b = Arrays.copyOf(held, held.length + len);
      System.arraycopy(buf, off, b, held.length, len);
    }
    held = scan(b, false, sink);
  }

  /** Ends the stream: decides and emits whatever was held back. */
  public void finish(Sink sink) {
    if (held.length > 0) {
      held = scan(held, true, sink);
    }
  }

  private byte[] scan(byte[] b, boolean last, Sink sink) {
    int i = 0;
    int emitted = 0;
    while (i < b.length) {
      if (!redaction.starts(b[i])) {
        i++;
        continue;
      }
      int rest = b.length - i;
      if (!last && rest < redaction.maxLength() && couldGrow(b, i)) {
        break;
      }
      Redaction.Pattern best = null;
      for (Redaction.Pattern p : redaction.patterns()) {
        byte[] q = p.bytes();
        if (q.length <= rest
            && (best == null || q.length > best.bytes().length)
            && Arrays.equals(b, i, i + q.length, q, 0, q.length)) {
          best = p;
        }
      }
      if (best == null) {
        i++;
        continue;
      }
      if (i > emitted) {
        sink.accept(b, emitted, i - emitted);
      }
      sink.accept(best.marker(), 0, best.marker().length);
      count++;
      i += best.bytes().length;
      emitted = i;
    }
    if (i > emitted) {
      sink.accept(b, emitted, i - emitted);
    }
    return Arrays.copyOfRange(b, i, b.length);
  }

  /** Whether the bytes from {@code i} to the end are a proper prefix of some pattern. */
  private boolean couldGrow(byte[] b, int i) {
    int rest = b.length - i;
    for (Redaction.Pattern p : redaction.patterns()) {
      byte[] q = p.bytes();
      if (q.length > rest && Arrays.equals(b, i, b.length, q, 0, rest)) {
        return true;
      }
    }
    return false;
  }
}
