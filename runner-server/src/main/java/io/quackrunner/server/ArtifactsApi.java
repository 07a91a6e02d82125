package io.quackrunner.server;

import io.quackrunner.artifacts.Artifact;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.service.Results;
import io.quackrunner.service.RunDetails;
import io.quackrunner.service.RunService;
import io.quackrunner.store.RunRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /runs/{id}/artifacts} and {@code GET /runs/{id}/artifacts/{path}}: downloads with
 * {@code ETag} = the artifact's SHA-256 and single byte ranges (RFC 9110 §14).
 */
final class ArtifactsApi {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
  private final RunService service;

  ArtifactsApi(RunService service) {
    this.service = service;
  }

  void list(String tenant, String id, Response resp, Callback cb) throws IOException {
    RunRecord r = service.get(tenant, id);
    RunDetails d = Results.read(r);
    List<Artifact> list = d == null ? List.of() : d.artifacts();
    Http.json(resp, cb, 200, Map.of("artifacts", RunJson.artifacts(id, list)));
  }

  void download(String tenant, String id, String path, Request req, Response resp, Callback cb)
      throws IOException {
    RunRecord r = service.get(tenant, id);
    RunDetails d = Results.read(r);
    // The path is looked up in the recorded list, never resolved against the file system first.
    Artifact a =
        d == null
            ? null
            : d.artifacts().stream().filter(x -> x.path().equals(path)).findFirst().orElse(null);
    if (a == null) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "run " + id + " has no artifact " + path);
    }
    Path f = service.outDir(id).resolve(a.path());
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "artifact " + path + " is gone");
    }
    String etag = "\"" + a.sha256() + "\"";
    resp.getHeaders().put(HttpHeader.ETAG, etag);
    resp.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "private, immutable");
    String inm = req.getHeaders().get(HttpHeader.IF_NONE_MATCH);
    if (inm != null && (inm.equals(etag) || inm.equals("*"))) {
      resp.setStatus(304);
      cb.succeeded();
      return;
    }
    long size = a.sizeBytes();
    long from = 0;
    long to = size - 1;
    int status = 200;
    String range = req.getHeaders().get(HttpHeader.RANGE);
    String ifRange = req.getHeaders().get(HttpHeader.IF_RANGE);
    if (range != null && (ifRange == null || ifRange.equals(etag))) {
      Matcher m = RANGE.matcher(range.strip());
      boolean ok = m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty());
      if (ok) {
        try {
          if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            from = Math.max(0, size - suffix);
            ok = suffix > 0;
          } else {
            from = Long.parseLong(m.group(1));
            if (!m.group(2).isEmpty()) {
              to = Math.min(to, Long.parseLong(m.group(2)));
              ok = Long.parseLong(m.group(2)) >= from;
            }
          }
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok || from >= size) {
        resp.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
        throw new HttpProblem(416, ErrorKind.USAGE, "unsatisfiable range " + range);
      }
      status = 206;
      resp.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + from + "-" + to + "/" + size);
    }
    long length = Math.max(0, to - from + 1);
    resp.setStatus(status);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, a.mediaType());
    resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    if (req.getMethod().equals("HEAD")) {
      cb.succeeded();
      return;
    }
    try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS);
        OutputStream out = Content.Sink.asOutputStream(resp)) {
      in.skipNBytes(from);
      byte[] buf = new byte[65536];
      long left = length;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
        left -= n;
      }
    } catch (IOException e) {
      cb.failed(e);
      return;
    }
    cb.succeeded();
  }
}
