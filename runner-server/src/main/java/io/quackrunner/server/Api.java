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
      route(method, path, req, resp, cb);
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

  private void route(String method, String path, Request req, Response resp, Callback cb)
      throws Exception {
    List<String> seg = segments(path);
    Fields q = Request.extractQueryParameters(req);
    switch (seg.size() == 0 ? "" : seg.get(0)) {
      case "healthz" -> {
        only(method, "GET", seg, 1);
        Http.json(resp, cb, 200, Map.of("status", "ok"));
      }
      case "readyz" -> {
        only(method, "GET", seg, 1);
        Http.json(
            resp,
            cb,
            200,
            Map.of(
                "status",
                "ready",
                "queue_depth",
                service.queueDepth(),
                "running",
                service.running()));
      }
      case "metrics" -> {
        only(method, "GET", seg, 1);
        Http.text(resp, cb, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
      }
      case "openapi.json" -> {
        only(method, "GET", seg, 1);
        Http.send(resp, cb, 200, Http.JSON_TYPE, openapi);
      }
      case "tools" -> {
        only(method, "GET", seg, 1);
        auth(req);
        Http.json(resp, cb, 200, ToolsJson.list(service.registry()));
      }
      case "inputs" -> inputs(method, seg, req, resp, cb);
      case "runs" -> runs(method, seg, q, req, resp, cb);
      case "ledger" -> ledger(method, seg, q, resp, cb);
      default -> throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint " + path);
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
        default -> throw notAllowed(method);
      }
      return;
    }
    String id = seg.get(1);
    if (seg.size() == 2) {
      switch (method) {
        case "GET" -> runs.get(tenant, id, resp, cb);
        case "DELETE" -> runs.cancel(tenant, id, resp, cb);
        default -> throw notAllowed(method);
      }
      return;
    }
    switch (seg.get(2)) {
      case "logs" -> {
        only(method, "GET", seg, 3);
        logs.get(tenant, id, q, resp, cb);
      }
      case "artifacts" -> {
        if (!method.equals("GET") && !method.equals("HEAD")) {
          throw notAllowed(method);
        }
        if (seg.size() == 3) {
          artifacts.list(tenant, id, resp, cb);
        } else {
          artifacts.download(
              tenant, id, String.join("/", seg.subList(3, seg.size())), req, resp, cb);
        }
      }
      case "receipt" -> {
        only(method, "GET", seg, 3);
        runs.receipt(tenant, id, resp, cb);
      }
      default ->
          throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint " + String.join("/", seg));
    }
  }

  private void inputs(String method, List<String> seg, Request req, Response resp, Callback cb)
      throws IOException {
    auth(req);
    if (seg.size() == 1 && method.equals("POST")) {
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
          if (e.kind() != ErrorKind.USAGE) {
            throw e;
          }
          Http.drain(in);
          throw new RunnerException(ErrorKind.TOO_LARGE, e.getMessage());
        }
      }
      resp.getHeaders().put(HttpHeader.LOCATION, "/inputs/" + sha);
      Http.json(resp, cb, 201, Map.of("sha256", sha, "size", service.content().size(sha)));
    } else if (seg.size() == 2 && method.equals("GET")) {
      String sha = seg.get(1);
      if (!service.content().contains(sha)) {
        throw new RunnerException(ErrorKind.NOT_FOUND, "no content with sha256 " + sha);
      }
      Http.json(resp, cb, 200, Map.of("sha256", sha, "size", service.content().size(sha)));
    } else {
      throw seg.size() <= 2
          ? notAllowed(method)
          : new RunnerException(ErrorKind.NOT_FOUND, "no such endpoint");
    }
  }

  private void ledger(String method, List<String> seg, Fields q, Response resp, Callback cb)
      throws IOException {
    if (!method.equals("GET")) {
      throw notAllowed(method);
    }
    String what = String.join("/", seg);
    if (!List.of("ledger/checkpoint", "ledger/proof/inclusion", "ledger/proof/consistency")
        .contains(what)) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint /" + what);
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

  static long num(Fields q, String name) {
    String v = q.getValue(name);
    if (v == null) {
      throw new RunnerException(ErrorKind.USAGE, "query parameter '" + name + "' is required");
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new RunnerException(
          ErrorKind.USAGE, "query parameter '" + name + "' must be a non-negative integer");
    }
  }

  private String auth(Request req) {
    return tokens.authenticate(req.getHeaders().get(HttpHeader.AUTHORIZATION));
  }

  private static void only(String method, String allowed, List<String> seg, int size) {
    if (seg.size() != size) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no endpoint /" + String.join("/", seg));
    }
    if (!method.equals(allowed)) {
      throw notAllowed(method);
    }
  }

  private static RunnerException notAllowed(String method) {
    return new HttpProblem(405, ErrorKind.USAGE, "method " + method + " is not allowed here");
  }

  private static List<String> segments(String path) {
    if (path == null) {
      return List.of();
    }
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? List.of() : List.of(p.split("/", -1));
  }
}
