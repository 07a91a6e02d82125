package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.service.RunRequest;
import io.quackrunner.service.RunService;
import io.quackrunner.service.Submission;
import io.quackrunner.store.RunRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/** {@code POST /runs}, {@code GET /runs[/{id}]}, {@code DELETE /runs/{id}}, {@code …/receipt}. */
final class RunsApi {
  private static final int MAX_WAIT_SECONDS = 600;
  private static final int MAX_LIST = 1000;
  private final RunService service;
  private final ServerOptions opts;

  RunsApi(RunService service, ServerOptions opts) {
    this.service = service;
    this.opts = opts;
  }

  void post(String tenant, Fields q, Request req, Response resp, Callback cb) throws Exception {
    long wait = wait(q);
    requireJson(req);
    if (req.getHeaders().getValuesList("Idempotency-Key").size() > 1) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "the Idempotency-Key header is given twice");
    }
    byte[] body = Http.body(req, opts.maxBodyBytes());
    RunRequest rr =
        RunRequestJson.parse(
            Http.parse(body),
            service.content(),
            opts.maxInputBytes(),
            IdempotencyKeyHeader.parse(req.getHeaders().get("Idempotency-Key")));
    Submission s = service.submit(tenant, rr.withOrigin(io.quackrunner.service.RunOrigin.HTTP));
    RunRecord r = s.record();
    if (wait > 0 && !r.status().isTerminal()) {
      try {
        r = service.completion(r.id()).get(wait, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        r = service.get(tenant, r.id());
      }
    }
    resp.getHeaders().put(HttpHeader.LOCATION, "/runs/" + r.id());
    if (!s.created()) {
      resp.getHeaders().put("Idempotent-Replayed", "true");
    }
    Http.json(resp, cb, r.status().isTerminal() ? 200 : 202, doc(r));
  }

  /** Returns the RunResult document of a run, with its callback's state. */
  private Map<String, Object> doc(RunRecord r) {
    return RunJson.result(service, r);
  }

  /**
   * Refuses a body whose {@code Content-Type} is missing or not JSON ({@code application/json} or
   * any {@code application/*+json}, parameters allowed) with a 415 naming the accepted type in
   * {@code Accept-Post}.
   */
  static void requireJson(Request req) {
    String type = req.getHeaders().get(HttpHeader.CONTENT_TYPE);
    String media =
        type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
    if (!media.equals("application/json")
        && !(media.startsWith("application/") && media.endsWith("+json"))) {
      throw new HttpProblem(
          ErrorKind.UNSUPPORTED_MEDIA_TYPE,
          type == null
              ? "a JSON body needs Content-Type: application/json"
              : "Content-Type " + type + " is not supported here; send application/json",
          Map.of("Accept-Post", "application/json"));
    }
  }

  private static long wait(Fields q) {
    String w = q.getValue("wait");
    if (w == null) {
      return 0;
    }
    long n = Api.num(q, "wait");
    if (n > MAX_WAIT_SECONDS) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "wait must be at most " + MAX_WAIT_SECONDS + " seconds");
    }
    return n;
  }

  /**
   * {@code GET /runs[?limit=&status=&tool=&before=]}: one page, newest first; {@code next} links
   * the following page (same filters, {@code before} = this page's last id) when this one is full.
   */
  void list(String tenant, Fields q, Response resp, Callback cb) throws IOException {
    for (Fields.Field f : q) {
      if (!List.of("limit", "status", "tool", "before").contains(f.getName())) {
        throw new RunnerException(
            ErrorKind.UNKNOWN_FIELD, "unknown query parameter '" + f.getName() + "'");
      }
    }
    long limit = q.getValue("limit") == null ? 50 : Api.num(q, "limit");
    if (limit < 1 || limit > MAX_LIST) {
      throw new RunnerException(
          ErrorKind.SCHEMA_VIOLATION, "limit must be from 1 to " + MAX_LIST + ", not " + limit);
    }
    String statusText = q.getValue("status");
    RunStatus status = null;
    if (statusText != null) {
      try {
        status = RunStatus.valueOf(statusText);
      } catch (IllegalArgumentException e) {
        throw new RunnerException(
            ErrorKind.SCHEMA_VIOLATION,
            "status must be one of " + java.util.Arrays.toString(RunStatus.values()));
      }
    }
    String tool = q.getValue("tool");
    String before = q.getValue("before");
    List<RunRecord> page = service.page(tenant, status, tool, before, (int) limit);
    List<Object> runs = page.stream().map(r -> (Object) doc(r)).toList();
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("runs", runs);
    String next = null;
    if (page.size() == limit) {
      StringBuilder u = new StringBuilder("/runs?limit=" + limit);
      if (status != null) {
        u.append("&status=").append(status.name());
      }
      if (tool != null) {
        u.append("&tool=").append(UriPath.encodeSegment(tool));
      }
      u.append("&before=").append(UriPath.encodeSegment(page.get(page.size() - 1).id()));
      next = u.toString();
    }
    body.put("next", next);
    Http.json(resp, cb, 200, body);
  }

  void get(String tenant, String id, Response resp, Callback cb) throws IOException {
    Http.json(resp, cb, 200, doc(service.get(tenant, id)));
  }

  void cancel(String tenant, String id, Response resp, Callback cb) throws IOException {
    Http.json(resp, cb, 200, doc(service.cancel(tenant, id)));
  }

  void receipt(String tenant, String id, Response resp, Callback cb) {
    RunRecord r = service.get(tenant, id);
    if (r.receiptJson() == null) {
      if (!service.issuesReceipts()) {
        throw new RunnerException(
            ErrorKind.UNAVAILABLE, "this runner has no receipt ledger configured");
      }
      throw new RunnerException(
          ErrorKind.NOT_FOUND,
          r.status().isTerminal()
              ? "run " + id + " has no receipt (its issue failed; see the service log)"
              : "run " + id + " has not ended; its receipt is issued when it does");
    }
    resp.getHeaders().put(HttpHeader.ETAG, "\"" + r.ledgerIndex() + "\"");
    Http.send(resp, cb, 200, Http.JSON_TYPE, r.receiptJson().getBytes(StandardCharsets.UTF_8));
  }
}
