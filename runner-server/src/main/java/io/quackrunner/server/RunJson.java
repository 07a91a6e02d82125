package io.quackrunner.server;

import io.quackrunner.artifacts.Artifact;
import io.quackrunner.service.LogRef;
import io.quackrunner.service.Results;
import io.quackrunner.service.RunDetails;
import io.quackrunner.store.CallbackRecord;
import io.quackrunner.store.RunRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a run record as the API's RunResult document (see {@code /openapi.json}). */
final class RunJson {
  private RunJson() {}

  static Map<String, Object> result(RunRecord r) {
    return result(r, null);
  }

  /**
   * Renders a run as {@code GET /runs/{id}} does, with its receipt callback read from {@code s}.
   */
  static Map<String, Object> result(io.quackrunner.service.RunService s, RunRecord r) {
    return result(r, s.callback(r.id()).orElse(null));
  }

  /** Renders a run with its receipt callback ({@code callback: null} when it has none). */
  static Map<String, Object> result(RunRecord r, CallbackRecord cb) {
    RunDetails d = Results.read(r);
    String self = "/runs/" + r.id();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("status", r.status().name());
    m.put("tool", r.tool());
    m.put("version", r.version());
    m.put("verb", r.verb());
    m.put("exit_code", r.exitCode());
    m.put("signal", r.signal());
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("queued_at", str(r.createdAt()));
    t.put("started_at", str(r.startedAt()));
    t.put("finished_at", str(r.finishedAt()));
    t.put(
        "duration_ms",
        r.startedAt() != null && r.finishedAt() != null
            ? Duration.between(r.startedAt(), r.finishedAt()).toMillis()
            : null);
    m.put("timings", t);
    if (d != null) {
      Map<String, Object> u = new LinkedHashMap<>();
      u.put("wall_time_ms", d.wallTimeMs());
      u.put("cpu_time_ms", d.cpuTimeMs());
      u.put("peak_memory_bytes", d.peakMemoryBytes());
      u.put("sandbox_overhead_ms", d.overheadMs());
      m.put("usage", u);
      m.put("limit_exceeded", d.limitExceeded());
      m.put("artifacts", artifacts(r.id(), d.artifacts()));
      m.put(
          "manifest",
          d.manifest() == null
              ? null
              : Map.of("path", d.manifest(), "href", artifactHref(r.id(), d.manifest())));
      m.put("violations", d.violations());
      m.put("tool_digest", d.toolDigest());
      m.put("secrets", d.secrets() == null ? List.of() : d.secrets());
      m.put("limits", d.limits());
      m.put("phases_us", d.phasesUs());
    } else {
      m.put("usage", null);
      m.put("limit_exceeded", null);
      m.put("artifacts", List.of());
      m.put("manifest", null);
      m.put("violations", List.of());
      m.put("tool_digest", null);
      m.put("secrets", List.of());
      m.put("limits", null);
      m.put("phases_us", null);
    }
    Map<String, Object> logs = new LinkedHashMap<>();
    logs.put("stdout", log(self, "stdout", d == null ? null : d.stdout()));
    logs.put("stderr", log(self, "stderr", d == null ? null : d.stderr()));
    logs.put("follow", self + "/logs?follow=true");
    m.put("logs", logs);
    m.put(
        "error",
        r.errorKind() == null
            ? null
            : Http.problem(r.errorKind(), r.errorKind().httpStatus(), r.errorDetail(), self));
    m.put(
        "receipt",
        r.receiptJson() == null
            ? null
            : Map.of("href", self + "/receipt", "ledger_index", r.ledgerIndex()));
    if (cb == null) {
      m.put("callback", null);
    } else {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("url", cb.url());
      c.put("state", cb.state().name());
      c.put("attempts", cb.attempts());
      c.put("last_error", cb.lastError());
      m.put("callback", c);
    }
    return m;
  }

  static List<Map<String, Object>> artifacts(String id, List<Artifact> list) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Artifact a : list) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("path", a.path());
      x.put("size", a.sizeBytes());
      x.put("sha256", a.sha256());
      x.put("media_type", a.mediaType());
      x.put("href", artifactHref(id, a.path()));
      out.add(x);
    }
    return out;
  }

  /** Returns an artifact's link: each segment of its path percent-encoded (RFC 3986). */
  static String artifactHref(String id, String path) {
    return "/runs/" + UriPath.encodeSegment(id) + "/artifacts/" + UriPath.encodePath(path);
  }

  private static Map<String, Object> log(String self, String stream, LogRef ref) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("href", self + "/logs?stream=" + stream);
    m.put("size", ref == null ? null : ref.size());
    m.put("sha256", ref == null ? null : ref.sha256());
    m.put("truncated", ref != null && ref.truncated());
    m.put("redactions", ref == null ? 0 : ref.redactions());
    return m;
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
