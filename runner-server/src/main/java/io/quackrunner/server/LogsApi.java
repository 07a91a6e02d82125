package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.logs.LogStream;
import io.quackrunner.service.LogFollower;
import io.quackrunner.service.RunService;
import io.quackrunner.store.RunRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * {@code GET /runs/{id}/logs}: references to both logs, one stored log as text ({@code
 * ?stream=stdout}), or a live Server-Sent Events stream ({@code ?follow=true}) that ends with an
 * {@code end} event when the run ends.
 */
final class LogsApi {
  private static final Object END = new Object();

  /** How often the stored logs of a run not live here are read, in milliseconds. */
  private static final long TAIL_MS = 50;

  /** Every how many reads of the logs the run's record is read again. */
  private static final int RECORD_EVERY = 4;

  private final RunService service;

  LogsApi(RunService service) {
    this.service = service;
  }

  private record Chunk(LogStream stream, long offset, byte[] data) {}

  void get(String tenant, String id, Fields q, Response resp, Callback cb) throws Exception {
    RunRecord r = service.get(tenant, id);
    String stream = q.getValue("stream");
    String follow = q.getValue("follow");
    List<LogStream> streams = new ArrayList<>();
    if (stream == null) {
      streams.addAll(List.of(LogStream.values()));
    } else {
      streams.add(
          switch (stream) {
            case "stdout" -> LogStream.STDOUT;
            case "stderr" -> LogStream.STDERR;
            default ->
                throw new RunnerException(
                    ErrorKind.SCHEMA_VIOLATION, "stream must be stdout or stderr");
          });
    }
    if (follow != null && !follow.equals("true") && !follow.equals("false")) {
      throw new RunnerException(ErrorKind.SCHEMA_VIOLATION, "follow must be true or false");
    }
    if ("true".equals(follow)) {
      follow(r, streams, resp, cb);
    } else if (stream == null) {
      Map<String, Object> m = new LinkedHashMap<>();
      @SuppressWarnings("unchecked")
      Map<String, Object> logs = (Map<String, Object>) RunJson.result(r).get("logs");
      m.putAll(logs);
      Http.json(resp, cb, 200, m);
    } else {
      Path f = service.logFile(id, streams.get(0));
      byte[] b =
          Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(f) : new byte[0];
      Http.send(resp, cb, 200, "text/plain; charset=utf-8", b);
    }
  }

  private void follow(RunRecord r, List<LogStream> streams, Response resp, Callback cb) {
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    LogFollower f =
        new LogFollower() {
          @Override
          public void chunk(LogStream s, long offset, byte[] data) {
            events.add(new Chunk(s, offset, data));
          }

          @Override
          public void end() {
            events.add(END);
          }
        };
    boolean live = service.follow(r.id(), f);
    resp.setStatus(200);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    try (OutputStream out = Content.Sink.asOutputStream(resp)) {
      SseWriter w = new SseWriter(out);
      long[] sent = new long[LogStream.values().length];
      for (LogStream s : streams) {
        sent[s.ordinal()] = copyFrom(r.id(), s, 0, w);
      }
      w.flush();
      if (live) {
        while (true) {
          Object e = events.poll(15, TimeUnit.SECONDS);
          if (e == null) {
            w.comment("keep-alive");
            continue;
          }
          if (e == END) {
            break;
          }
          Chunk c = (Chunk) e;
          if (!streams.contains(c.stream())) {
            continue;
          }
          long have = sent[c.stream().ordinal()];
          long skip = Math.max(0, have - c.offset());
          if (skip < c.data().length) {
            w.bytes(c.stream(), c.data(), (int) skip, c.data().length - (int) skip);
            sent[c.stream().ordinal()] = c.offset() + c.data().length;
            w.flush();
          }
        }
      } else {
        // Ended, or executing in another process (another node, its run directory in the shared
        // content directory): tail the stored files every TAIL_MS, and read the record (one
        // query) every RECORD_EVERY-th time, until it is terminal.
        for (int i = 0; i % RECORD_EVERY != 0 || !terminal(r.id()); i++) {
          Thread.sleep(TAIL_MS);
          for (LogStream s : streams) {
            sent[s.ordinal()] = copyFrom(r.id(), s, sent[s.ordinal()], w);
          }
          w.flush();
        }
        for (LogStream s : streams) {
          sent[s.ordinal()] = copyFrom(r.id(), s, sent[s.ordinal()], w);
        }
      }
      w.flushPartial();
      RunRecord done = record(r.id());
      // The end event carries the RunResult's own fields, so the two never disagree.
      Map<String, Object> end = new java.util.LinkedHashMap<>();
      end.put("id", done.id());
      end.put("status", done.status().name());
      end.put("exit_code", done.exitCode());
      end.put("signal", done.signal());
      w.event("end", Http.JSON.writeValueAsString(end));
      cb.succeeded();
    } catch (Exception e) {
      cb.failed(e);
    } finally {
      service.unfollow(r.id(), f);
    }
  }

  private boolean terminal(String id) throws InterruptedException {
    return record(id).status().isTerminal();
  }

  /**
   * Reads a followed run's record, waiting out an unreachable database (a PostgreSQL restart) every
   * {@code TAIL_MS}: a follow already answered 200 cannot be answered 503 any more, and cut off it
   * would end without its end event.
   */
  private RunRecord record(String id) throws InterruptedException {
    while (true) {
      try {
        return service.store().find(id).orElseThrow();
      } catch (RunnerException e) {
        if (e.kind() != ErrorKind.UNAVAILABLE) {
          throw e;
        }
      }
      Thread.sleep(TAIL_MS);
    }
  }

  /** Sends a stored log from an offset; returns the offset after the last byte sent. */
  private long copyFrom(String id, LogStream s, long from, SseWriter w) throws IOException {
    Path f = service.logFile(id, s);
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      return from;
    }
    try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
      in.skipNBytes(Math.min(from, Files.size(f)));
      long at = from;
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        w.bytes(s, buf, 0, n);
        at += n;
      }
      return at;
    }
  }
}
