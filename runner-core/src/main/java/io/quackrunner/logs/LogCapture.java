package io.quackrunner.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Copies one output stream of a run to a file, a running SHA-256 and a live listener, within an
 * {@link OutputBudget}; bytes past the budget are read and dropped so the writer never blocks.
 *
 * <p>When the run has secrets, every chunk passes through a {@link Redactor} first, so the file,
 * the digest, the size, the budget and the listener all see the redacted bytes only.
 */
public final class LogCapture implements Runnable {
  private final LogStream stream;
  private final InputStream in;
  private final Path file;
  private final OutputBudget budget;
  private final LogListener listener;
  private final MessageDigest sha;
  private final Redactor redactor;
  private OutputStream out;
  private long kept;
  private volatile LogDigest result;
  private volatile IOException failure;

  /** Creates a capture; {@link #run()} does the copying until end of stream. */
  public LogCapture(
      LogStream stream, InputStream in, Path file, OutputBudget budget, LogListener listener) {
    this(stream, in, file, budget, listener, Redaction.NONE);
  }

  /** Creates a capture that redacts the given secrets' values before anything is kept. */
  public LogCapture(
      LogStream stream,
      InputStream in,
      Path file,
      OutputBudget budget,
      LogListener listener,
      Redaction redaction) {
    this.redactor = redaction.redactor();
    this.stream = stream;
    this.in = in;
    this.file = file;
    this.budget = budget;
    this.listener = listener;
    try {
      this.sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Copies until end of stream. When the file cannot be written (a full disk), the failure is kept
   * for {@link #failure()} and the stream is still read to its end and dropped, so the writer in
   * the sandbox never blocks on a full pipe.
   */
  @Override
  public void run() {
    byte[] buf = new byte[16384];
    try {
      out =
          Files.newOutputStream(
              file,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      failure = e;
    }
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        redactor.write(buf, 0, n, this::keep);
      }
      redactor.finish(this::keep);
    } catch (IOException e) {
      throw new UncheckedIOException("capturing " + stream.label() + " to " + file, e);
    } finally {
      try {
        if (out != null) {
          out.close();
        }
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        }
      }
      result =
          new LogDigest(
              stream,
              file,
              kept,
              HexFormat.of().formatHex(sha.digest()),
              budget.exceeded(),
              redactor.count());
    }
  }

  private void keep(byte[] buf, int off, int n) {
    int keep = (int) budget.take(n);
    if (keep > 0 && failure == null) {
      try {
        out.write(buf, off, keep);
      } catch (IOException e) {
        failure = e;
        return;
      }
      sha.update(buf, off, keep);
      kept += keep;
      listener.onOutput(stream, buf, off, keep);
    }
  }

  /**
   * Returns why the log file could not be written (for example ENOSPC), or null if every kept byte
   * is in it; valid after {@link #run()} returned. When not null, the file holds only a prefix of
   * the kept output and the digest covers that prefix.
   */
  public IOException failure() {
    return failure;
  }

  /** Returns the digest; valid after {@link #run()} returned. */
  public LogDigest result() {
    return result;
  }
}
