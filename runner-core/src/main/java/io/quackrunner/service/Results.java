package io.quackrunner.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.artifacts.Artifact;
import io.quackrunner.artifacts.ArtifactViolation;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.logs.LogDigest;
import io.quackrunner.logs.LogStream;
import io.quackrunner.secrets.SecretValue;
import io.quackrunner.store.RunRecord;
import io.quackrunner.tools.ManifestRule;
import io.quackrunner.tools.ToolRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Builds and reads the {@link RunDetails} document kept with each run. */
public final class Results {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Results() {}

  static RunDetails details(
      RunPlanner.Plan plan,
      ExecutionResult r,
      List<ArtifactViolation> violations,
      long overheadMs) {
    ManifestRule rule = plan.tool().version().manifest();
    String manifest =
        rule != null && r.artifacts().stream().anyMatch(a -> a.path().equals(rule.path()))
            ? rule.path()
            : null;
    return new RunDetails(
        r.limitExceeded() == null ? null : r.limitExceeded().label(),
        r.wallTimeMs(),
        r.cpuTimeMs(),
        r.peakMemoryBytes(),
        overheadMs,
        r.artifacts(),
        violations,
        manifest,
        ref(r.stdout()),
        ref(r.stderr()),
        plan.tool().version().digest(),
        plan.tool().version().runtime(),
        r.sandbox(),
        r.fingerprint(),
        r.limits().asMap(),
        r.argv(),
        plan.secrets().stream().map(SecretValue::name).sorted().toList(),
        phasesUs(r.phases()));
  }

  private static java.util.Map<String, Long> phasesUs(io.quackrunner.sandbox.PhaseTimes p) {
    if (p == null) {
      return null;
    }
    java.util.Map<String, Long> us = new java.util.LinkedHashMap<>();
    p.asMap().forEach((k, v) -> us.put(k, v / 1000));
    return us;
  }

  /**
   * The details of a run cut off by a crash: only its partial logs are known.
   *
   * @param reports the run's {@code reports/} directory, where its logs were written, or null when
   *     it is not known
   * @param registry the registry that names the secrets the run's tool declares
   */
  static RunDetails interrupted(RunRecord r, Path reports, ToolRegistry registry) {
    return new RunDetails(
        null,
        0,
        0,
        0,
        0,
        List.<Artifact>of(),
        List.of(),
        null,
        partial(reports, LogStream.STDOUT),
        partial(reports, LogStream.STDERR),
        null,
        null,
        null,
        null,
        null,
        null,
        declaredSecrets(registry, r),
        null);
  }

  /**
   * The names a run received, for a run whose own plan is gone: the subset its request named, else
   * what its tool version declares.
   */
  private static List<String> declaredSecrets(ToolRegistry registry, RunRecord r) {
    try {
      List<String> asked = RunPlanner.parseStored(r.requestJson()).secrets();
      if (asked != null) {
        return asked.stream().sorted().distinct().toList();
      }
      return registry.resolve(r.tool(), r.version(), r.verb()).version().secrets().stream()
          .map(io.quackrunner.tools.SecretSpec::name)
          .sorted()
          .toList();
    } catch (RuntimeException e) {
      return null; // the tool is no longer registered: the names are unknown
    }
  }

  private static LogRef ref(LogDigest d) {
    return d == null ? null : new LogRef(d.sizeBytes(), d.sha256(), d.truncated(), d.redactions());
  }

  private static LogRef partial(Path reports, LogStream stream) {
    Path f = reports == null ? null : reports.resolve(stream.label() + ".log");
    if (f == null || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      return new LogRef(0, sha256Empty(), false);
    }
    try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      long size = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        size += n;
      }
      return new LogRef(size, HexFormat.of().formatHex(md.digest()), false);
    } catch (IOException | NoSuchAlgorithmException e) {
      return null;
    }
  }

  private static String sha256Empty() {
    return "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  }

  static String json(RunDetails d) {
    try {
      return JSON.writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A run's tool identity as recorded in its stored request.
   *
   * @param digest the tool version's digest, {@code sha256:<hex>}
   * @param runtime the runtime profile id, or null when unknown
   */
  record ToolIdentity(String digest, String runtime) {}

  static ToolIdentity toolIdentity(RunRecord r) {
    try {
      var n = JSON.readTree(r.requestJson());
      RunDetails d = read(r);
      return new ToolIdentity(
          n.path("tool_digest").asText("unknown"), d == null ? null : d.runtime());
    } catch (IOException e) {
      return new ToolIdentity("unknown", null);
    }
  }

  /**
   * Reads the details document of a run record.
   *
   * @return the details, or null when the run has none (not finished, or never executed)
   */
  public static RunDetails read(RunRecord r) {
    if (r.resultJson() == null) {
      return null;
    }
    try {
      return JSON.readValue(r.resultJson(), RunDetails.class);
    } catch (IOException e) {
      throw new IllegalStateException("unreadable result of run " + r.id(), e);
    }
  }
}
