package io.quackrunner.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Holds the end of {@code runner mcp}'s standard input back until every JSON-RPC request read from
 * it has its response written, so a client that writes its last request and closes stdin at once (a
 * script, {@code printf … | runner mcp}) still gets every answer; the SDK's stdio transport stops
 * writing once its reader sees the end (MCP 2025-11-25, "Transports": stdio messages are
 * newline-delimited JSON-RPC).
 *
 * <p>Counted by message, not by thread: a request is a line with {@code method} and a non-null
 * {@code id}; a response is a line with an {@code id}, no {@code method}, and {@code result} or
 * {@code error}. A line that is not JSON is left to the SDK and not counted.
 */
final class McpStdioInFlight {
  private final Duration bound;
  private long pending;

  /** Waits at most {@code bound} at the end of input for the outstanding responses. */
  McpStdioInFlight(Duration bound) {
    this.bound = bound;
  }

  /** Returns {@code in} counting requests, whose end waits for their responses. */
  InputStream input(InputStream in, Runnable onEnd) {
    return new FilterInputStream(in) {
      private final Lines lines = new Lines(true);
      private boolean ended;

      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
          end();
        } else {
          lines.add(new byte[] {(byte) b}, 0, 1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n < 0) {
          end();
        } else {
          lines.add(buf, off, n);
        }
        return n;
      }

      private void end() throws IOException {
        if (!ended) {
          ended = true;
          lines.finish();
          awaitAnswers();
          onEnd.run();
        }
      }
    };
  }

  /** Returns {@code out} counting the responses written to it. */
  OutputStream output(OutputStream out) {
    return new FilterOutputStream(out) {
      private final Lines lines = new Lines(false);

      @Override
      public void write(int b) throws IOException {
        out.write(b);
        lines.add(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] buf, int off, int len) throws IOException {
        out.write(buf, off, len);
        lines.add(buf, off, len);
      }
    };
  }

  private synchronized void awaitAnswers() throws IOException {
    long deadline = System.nanoTime() + bound.toNanos();
    try {
      while (pending > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        wait(Math.max(1, left / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while answering the last requests");
    }
  }

  private synchronized void counted(boolean request) {
    if (request) {
      pending++;
    } else if (pending > 0) {
      pending--;
      notifyAll();
    }
  }

  /** Splits a byte stream into lines and counts the requests (or responses) among them. */
  private final class Lines {
    private final boolean requests;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    Lines(boolean requests) {
      this.requests = requests;
    }

    void add(byte[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        if (buf[i] == '\n') {
          finish();
        } else {
          line.write(buf[i]);
        }
      }
    }

    void finish() {
      if (line.size() == 0) {
        return;
      }
      byte[] bytes = line.toByteArray();
      line.reset();
      JsonNode m;
      try {
        m = McpSchemas.JSON.readTree(bytes);
      } catch (IOException e) {
        return; // not JSON: the SDK answers it (or not) on its own
      }
      if (m == null || !m.isObject() || !m.hasNonNull("id")) {
        return;
      }
      boolean isRequest = m.hasNonNull("method");
      boolean isResponse = !m.has("method") && (m.has("result") || m.has("error"));
      if (requests ? isRequest : isResponse) {
        counted(requests);
      }
    }
  }
}
