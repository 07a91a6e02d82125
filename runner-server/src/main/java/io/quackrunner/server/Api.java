package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.service.JsonLog;
import io.quackrunner.service.RunService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Routes every request of the HTTP API, authenticates it, and turns any error into an RFC 9457
 * problem; the endpoints themselves live in {@link RunsApi}, {@link LogsApi} and {@link
 * ArtifactsApi}.
 */
final class Api extends Handler.Abstract {
  private final RunService service;
  private final TokenStore tokens;
  private final ServerOptions opts;
  private final Metrics metrics;
  private final LedgerAccess ledger;
  private final RunsApi runs;
  private final LogsApi logs;
  private final ArtifactsApi artifacts;
  private final UiAssets ui = new UiAssets();
  private final byte[] openapi;

  Api(
      RunService service,
      TokenStore tokens,
      ServerOptions opts,
      Metrics metrics,
      LedgerAccess ledger) {
    this.service = service;
    this.tokens = tokens;
    this.opts = opts;
    this.metrics = metrics;
    this.ledger = ledger;
    this.runs = new RunsApi(service, opts);
    this.logs = new LogsApi(service);
    this.artifacts = new ArtifactsApi(service);
    try (InputStream in = Api.class.getResourceAsStream("openapi.json")) {
      this.openapi = in.readAllBytes();
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "openapi.json is missing", e);
    }
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) {
    String method = req.getMethod();
    String path = Request.getPathInContext(req);
    try {
      route(method.equals("HEAD") ? "GET" : method, req, resp, cb);
    } catch (RunnerException e) {
      if (e.kind().httpStatus() >= 500) {
        JsonLog.warn("http.error", "path", path, "kind", e.kind().slug(), "detail", e.getMessage());
      }
      // A request refused before its body was read (no token, unknown endpoint, bad method):
      // read the rest, so the client gets the problem on a connection it can reuse.
      Http.drain(org.eclipse.jetty.io.Content.Source.asInputStream(req));
      Http.problem(req, resp, cb, e);
    } catch (Exception e) {
      JsonLog.warn("http.internal_error", "path", path, "detail", String.valueOf(e));
      Http.problem(req, resp, cb, new RunnerException(ErrorKind.INTERNAL, "internal error"));
    }
    return true;
  }

  /** Routes a request; {@code method} is GET for a HEAD request (Jetty then sends no body). */
  private void route(String method, Request req, Response resp, Callback cb) throws Exception {
    // Each segment of the raw path is decoded exactly once (RFC 3986 §2.4), so an artifact named
    // "a b.txt" or "%41.txt" is reached through its percent-encoded link.
    List<String> seg = UriPath.segments(req.getHttpURI().getPath());
    Fields q = Request.extractQueryParameters(req);
    switch (seg.size() == 0 ? "" : seg.get(0)) {
      case "healthz" -> {
        only(method, seg, 1, "GET");
        Http.json(resp, cb, 200, Map.of("status", "ok"));
      }
      case "readyz" -> {
        only(method, seg, 1, "GET");
        boolean accepts = service.acceptsRuns();
        Http.json(
            resp,
            cb,
            accepts ? 200 : 503,
            Map.of(
                "status",
                accepts ? "ready" : "queue-full",
                "queue_depth",
                service.queueDepth(),
                "running",
                service.running()));
      }
      case "metrics" -> {
        only(method, seg, 1, "GET");
        Http.text(resp, cb, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
      }
      case "openapi.json" -> {
        only(method, seg, 1, "GET");
        Http.send(resp, cb, 200, Http.JSON_TYPE, openapi);
      }
      case "keys" -> {
        only(method, seg, 1, "GET");
        if (ledger == null) {
          throw new RunnerException(
              ErrorKind.UNAVAILABLE, "this runner has no receipt ledger configured");
        }
        Http.json(resp, cb, 200, Map.of("keys", ledger.keys()));
      }
      case "tools" -> {
        only(method, seg, 1, "GET");
        auth(req);
        Http.json(resp, cb, 200, ToolsJson.list(service.registry()));
      }
      case "ui" -> {
        if (!method.equals("GET")) {
          throw notAllowed(method, "GET");
        }
        ui.get(seg, resp, cb);
      }
      case "inputs" -> inputs(method, seg, req, resp, cb);
      case "runs" -> runs(method, seg, q, req, resp, cb);
      case "ledger" -> ledger(method, seg, q, resp, cb);
      default -> throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint " + path(seg));
    }
  }

  private void runs(
      String method, List<String> seg, Fields q, Request req, Response resp, Callback cb)
      throws Exception {
    String tenant = auth(req);
    if (seg.size() == 1) {
      switch (method) {
        case "POST" -> runs.post(tenant, q, req, resp, cb);
        case "GET" -> runs.list(tenant, q, resp, cb);
        default -> throw notAllowed(method, "GET", "POST");
      }
      return;
    }
    String id = seg.get(1);
    if (seg.size() == 2) {
      switch (method) {
        case "GET" -> runs.get(tenant, id, resp, cb);
        case "DELETE" -> runs.cancel(tenant, id, resp, cb);
        default -> throw notAllowed(method, "GET", "DELETE");
      }
      return;
    }
    switch (seg.get(2)) {
      case "logs" -> {
        only(method, seg, 3, "GET");
        logs.get(tenant, id, q, resp, cb);
      }
      case "artifacts" -> {
        if (!method.equals("GET")) {
          throw notAllowed(method, "GET");
        }
        if (seg.size() == 3) {
          artifacts.list(tenant, id, resp, cb);
        } else {
          artifacts.download(
              tenant, id, String.join("/", seg.subList(3, seg.size())), req, resp, cb);
        }
      }
      case "receipt" -> {
        only(method, seg, 3, "GET");
        runs.receipt(tenant, id, resp, cb);
      }
      default -> throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint " + path(seg));
    }
  }

  private void inputs(String method, List<String> seg, Request req, Response resp, Callback cb)
      throws IOException {
    auth(req);
    if (seg.size() > 2) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint " + path(seg));
    }
    if (seg.size() == 1 && !method.equals("POST")) {
      throw notAllowed(method, "POST");
    }
    if (seg.size() == 2 && !method.equals("GET")) {
      throw notAllowed(method, "GET");
    }
    if (seg.size() == 1) {
      long declared = req.getLength();
      String sha;
      try (InputStream in = org.eclipse.jetty.io.Content.Source.asInputStream(req)) {
        if (declared > opts.maxInputBytes()) {
          Http.drain(in);
          throw new RunnerException(
              ErrorKind.TOO_LARGE,
              "upload of " + declared + " bytes exceeds " + opts.maxInputBytes());
        }
        try {
          sha = service.content().put(in, opts.maxInputBytes());
        } catch (RunnerException e) {
          if (e.kind() == ErrorKind.TOO_LARGE) {
            Http.drain(in);
          }
          throw e;
        }
      }
      resp.getHeaders().put(HttpHeader.LOCATION, "/inputs/" + sha);
      Http.json(resp, cb, 201, Map.of("sha256", sha, "size", service.content().size(sha)));
    } else {
      String sha = seg.get(1);
      if (!service.content().contains(sha)) {
        throw new RunnerException(ErrorKind.NOT_FOUND, "no content with sha256 " + sha);
      }
      Http.json(resp, cb, 200, Map.of("sha256", sha, "size", service.content().size(sha)));
    }
  }

  private void ledger(String method, List<String> seg, Fields q, Response resp, Callback cb)
      throws IOException {
    String what = String.join("/", seg);
    if (!List.of("ledger/checkpoint", "ledger/proof/inclusion", "ledger/proof/consistency")
        .contains(what)) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint " + path(seg));
    }
    if (!method.equals("GET")) {
      throw notAllowed(method, "GET");
    }
    if (ledger == null) {
      throw new RunnerException(
          ErrorKind.UNAVAILABLE, "this runner has no receipt ledger configured");
    }
    switch (what) {
      case "ledger/checkpoint" ->
          Http.send(
              resp,
              cb,
              200,
              "text/plain; charset=utf-8",
              ledger.checkpoint().getBytes(StandardCharsets.UTF_8));
      case "ledger/proof/inclusion" ->
          Http.json(resp, cb, 200, ledger.inclusion(num(q, "index"), num(q, "size")));
      default -> Http.json(resp, cb, 200, ledger.consistency(num(q, "from"), num(q, "to")));
    }
  }

  /**
   * Returns a non-negative integer query parameter; an integral number in exponent form ({@code
   * 1e3}) is the integer it denotes.
   *
   * @throws RunnerException of kind SCHEMA_VIOLATION when it is missing or not such an integer
   */
  static long num(Fields q, String name) {
    String v = q.getValue(name);
    if (v == null) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "query parameter '" + name + "' is required");
    }
    try {
      if (v.length() > 32) {
        throw new NumberFormatException();
      }
      long n = new java.math.BigDecimal(v).longValueExact();
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION,
          "query parameter '" + name + "' must be a non-negative integer");
    }
  }

  private String auth(Request req) {
    return tokens.authenticate(req.getHeaders().get(HttpHeader.AUTHORIZATION));
  }

  private static void only(String method, List<String> seg, int size, String allowed) {
    if (seg.size() != size) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint " + path(seg));
    }
    if (!method.equals(allowed)) {
      throw notAllowed(method, allowed);
    }
  }

  /** A 405 whose {@code Allow} lists the methods of the resource; HEAD goes with GET. */
  private static RunnerException notAllowed(String method, String... allowed) {
    List<String> all = new java.util.ArrayList<>(List.of(allowed));
    if (all.contains("GET")) {
      all.add(all.indexOf("GET") + 1, "HEAD");
    }
    return new HttpProblem(
        ErrorKind.METHOD_NOT_ALLOWED,
        "method " + method + " is not allowed here (allowed: " + String.join(", ", all) + ")",
        Map.of("Allow", String.join(", ", all)));
  }

  private static String path(List<String> seg) {
    return "/" + String.join("/", seg);
  }
}
