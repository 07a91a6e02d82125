package io.quackrunner.server;

import io.quackrunner.logs.LogStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes log bytes as Server-Sent Events (WHATWG HTML §9.2): one {@code stdout} or {@code stderr}
 * event per complete line, the line's text (UTF-8, CR stripped) as its data.
 */
final class SseWriter {
  private final OutputStream out;
  private final ByteArrayOutputStream[] partial = {
    new ByteArrayOutputStream(), new ByteArrayOutputStream()
  };

  SseWriter(OutputStream out) {
    this.out = out;
  }

  void bytes(LogStream s, byte[] b, int off, int len) throws IOException {
    ByteArrayOutputStream p = partial[s.ordinal()];
    for (int i = off; i < off + len; i++) {
      if (b[i] == '\n') {
        line(s, p.toByteArray());
        p.reset();
      } else {
        p.write(b[i]);
      }
    }
  }

  void flushPartial() throws IOException {
    for (LogStream s : LogStream.values()) {
      if (partial[s.ordinal()].size() > 0) {
        line(s, partial[s.ordinal()].toByteArray());
        partial[s.ordinal()].reset();
      }
    }
  }

  void event(String name, String data) throws IOException {
    out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void comment(String text) throws IOException {
    out.write((": " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void flush() throws IOException {
    out.flush();
  }

  private void line(LogStream s, byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.UTF_8);
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    // A lone CR inside a line would end the SSE data line early; it is shown as a space.
    text = text.replace('\r', ' ');
    out.write(
        ("event: " + s.label() + "\ndata: " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
  }
}
