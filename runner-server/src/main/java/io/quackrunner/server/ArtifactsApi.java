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
  private static final Pattern RANGE =
      Pattern.compile("(?i:bytes)=[ \\t]*(\\d*)[ \\t]*-[ \\t]*(\\d*)");
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
    if (noneMatch(req.getHeaders().getValuesList(HttpHeader.IF_NONE_MATCH), etag)) {
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
    long[] want = range == null || (ifRange != null && !ifRange.equals(etag)) ? null : range(range);
    if (want != null) {
      // A single range (RFC 9110 §14.1.2): a suffix, an open end, or first-last clipped to size.
      if (want[0] < 0) {
        from = Math.max(0, size - want[1]);
      } else {
        from = want[0];
        if (want[1] >= 0) {
          to = Math.min(to, want[1]);
        }
      }
      if (from >= size || (want[0] < 0 && want[1] == 0)) {
        resp.getHeaders().remove(HttpHeader.ETAG);
        resp.getHeaders().remove(HttpHeader.ACCEPT_RANGES);
        resp.getHeaders().remove(HttpHeader.CACHE_CONTROL);
        throw new HttpProblem(
            ErrorKind.RANGE_NOT_SATISFIABLE,
            "range " + range + " lies past the end of " + size + " bytes",
            Map.of("Content-Range", "bytes */" + size));
      }
      status = 206;
      resp.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + from + "-" + to + "/" + size);
    }
    long length = Math.max(0, to - from + 1);
    // A tool's output is never rendered in the gateway's origin: it is a download, and a browser
    // that opens it anyway runs it in a sandbox with no script (docs/INSPECTOR.md, "Security").
    resp.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, attachment(a.path()));
    resp.getHeaders().put("Content-Security-Policy", "default-src 'none'; sandbox");
    resp.getHeaders().put("X-Content-Type-Options", "nosniff");
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

  /**
   * Returns {@code attachment; filename="…"; filename*=UTF-8''…} for an artifact path (RFC 6266,
   * RFC 8187): its last segment, non-ASCII and quoting characters replaced by '_' in the plain form
   * and percent-encoded in the extended one.
   */
  static String attachment(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    StringBuilder plain = new StringBuilder();
    for (char c : name.toCharArray()) {
      plain.append(c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%' ? '_' : c);
    }
    return "attachment; filename=\""
        + plain
        + "\"; filename*=UTF-8''"
        + UriPath.encodeSegment(name);
  }

  /**
   * Tells whether an {@code If-None-Match} field (RFC 9110 §13.1.2) matches: {@code *}, or any
   * entity tag of its comma-separated lists equal to {@code etag} under weak comparison ({@code W/}
   * ignored).
   */
  static boolean noneMatch(List<String> fields, String etag) {
    for (String field : fields) {
      for (String tag : field.split(",")) {
        String t = tag.strip();
        if (t.equals("*")) {
          return true;
        }
        if (t.startsWith("W/")) {
          t = t.substring(2);
        }
        if (t.equals(etag)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Parses a {@code Range} field that holds exactly one byte range: {@code {first, last}} with -1
   * for an open last, or {@code {-1, suffix}}; returns null for anything else (several ranges, an
   * other unit, a syntax error, last before first), which RFC 9110 §14.2 lets a server ignore.
   */
  static long[] range(String field) {
    Matcher m = RANGE.matcher(field.strip());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return null;
    }
    try {
      if (m.group(1).isEmpty()) {
        return new long[] {-1, Long.parseLong(m.group(2))};
      }
      long first = Long.parseLong(m.group(1));
      long last = m.group(2).isEmpty() ? -1 : Long.parseLong(m.group(2));
      return last >= 0 && last < first ? null : new long[] {first, last};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
