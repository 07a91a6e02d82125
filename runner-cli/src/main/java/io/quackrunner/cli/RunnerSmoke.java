package io.quackrunner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.execution.RunStatus;
import io.quackrunner.images.Digest;
import io.quackrunner.images.ImageBuilder;
import io.quackrunner.images.ImageStore;
import io.quackrunner.images.Recipe;
import io.quackrunner.images.StoredImage;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A runner's smoke test (MPLP Runner Framework V2's four checks), run through the real sandbox on
 * the runner's image: (1) the image named after the runner is imported and its stored manifest
 * hashes to its digest; (2) {@code smoke.sh} runs on exactly that image (pinned by digest), exits 0
 * and prints the runtime's version, and the version is read inside the image; (3) it wrote {@code
 * smoke.txt} to OUT_DIR; (4) {@code reports/runner.meta.json} is valid JSON with the runner's id
 * and a {@code container_digest} equal to the image's digest.
 */
final class RunnerSmoke {
  private RunnerSmoke() {}

  /**
   * One runner's outcome.
   *
   * @param id the runner id
   * @param ok whether all four checks passed
   * @param detail on success the digest, the version and the smoke's first line; else the reason
   */
  record Outcome(String id, boolean ok, String detail) {
    /** {@code ok<TAB>id<TAB>detail} or {@code FAIL<TAB>id<TAB>reason}. */
    String line() {
      return (ok ? "ok" : "FAIL") + "\t" + id + "\t" + detail;
    }
  }

  /** Returns the runner ids of {@code runners}: its subdirectories holding a smoke.sh, sorted. */
  static List<String> ids(Path runners) {
    try (Stream<Path> s = Files.list(runners)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("smoke.sh")))
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new RunnerException(
          io.quackrunner.errors.ErrorKind.NOT_FOUND,
          "cannot list runners in " + runners + ": " + e);
    }
  }

  /** Runs runner {@code id}'s smoke test; never throws for a failed check. */
  static Outcome run(String id, Path runners, ImageStore store, Executor executor, Path scratch) {
    long t0 = System.nanoTime();
    Path dir = runners.resolve(id);
    if (!Files.isRegularFile(dir.resolve("smoke.sh"))) {
      return new Outcome(id, false, "no runner directory with smoke.sh: " + dir);
    }
    if (Files.isRegularFile(dir.resolve("recipe.json"))) {
      try {
        Recipe r = Recipe.load(dir).recipe();
        if (r.unavailable() != null) {
          return new Outcome(id, false, "cannot be built here: missing " + r.unavailable());
        }
      } catch (RunnerException e) {
        return new Outcome(id, false, e.getMessage());
      }
    }
    Digest d = store.named(id);
    if (d == null) {
      boolean recipe = Files.isRegularFile(dir.resolve("recipe.json"));
      return new Outcome(
          id,
          false,
          "no image named "
              + id
              + " is imported ("
              + (recipe ? "runner image build " + id : "runner image import FILE --name " + id)
              + ")");
    }
    StoredImage img = store.find(d.toString());
    Path manifest = store.directory().resolve("roots").resolve(d.hex()).resolve("manifest.json");
    try {
      if (!Recipe.sha256(Files.readAllBytes(manifest)).equals(d.hex())) {
        return new Outcome(id, false, "the stored manifest of " + d + " does not hash to it");
      }
    } catch (IOException e) {
      return new Outcome(id, false, "cannot read the stored manifest of " + d + ": " + e);
    }
    Path out = scratch.resolve(id + "-" + Executor.newExecutionId());
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ExecutionResult r;
    try {
      r =
          executor.execute(
              new ExecRequest(
                  Executor.newExecutionId(),
                  List.of("/bin/sh", "/workspace/in/smoke.sh"),
                  id + "@" + img.digest(),
                  dir,
                  out,
                  Map.of(),
                  LimitsRequest.DEFAULTS),
              (stream, buf, off, len) -> {
                if (stream == LogStream.STDOUT) {
                  synchronized (stdout) {
                    stdout.write(buf, off, len);
                  }
                }
              });
    } catch (RunnerException e) {
      return new Outcome(id, false, "the run was refused: " + e.getMessage());
    }
    String first = stdout.toString(StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
    String fail = failure(r, first, out, id, img.digest());
    if (fail != null) {
      return new Outcome(id, false, fail + " (out dir " + out + ")");
    }
    try {
      ImageBuilder.deleteTree(out);
    } catch (RunnerException e) {
      // a leftover smoke out dir is only scratch
    }
    return new Outcome(
        id,
        true,
        img.digest()
            + "\t"
            + r.fingerprint().runtimeType()
            + " "
            + r.fingerprint().runtimeVersion()
            + "\t"
            + first
            + "\t"
            + (System.nanoTime() - t0) / 1_000_000
            + " ms");
  }

  private static String failure(
      ExecutionResult r, String first, Path out, String id, String digest) {
    if (r.status() != RunStatus.SUCCEEDED) {
      return "smoke.sh "
          + r.status()
          + (r.exitCode() == null ? "" : " exit " + r.exitCode())
          + (r.failureReason() == null ? "" : ": " + r.failureReason());
    }
    if (first.isEmpty() || r.fingerprint().runtimeVersion() == null) {
      return "the runtime reported no version";
    }
    try {
      Path smoke = out.resolve("smoke.txt");
      if (!Files.isRegularFile(smoke) || Files.size(smoke) == 0) {
        return "smoke.sh wrote no OUT_DIR/smoke.txt";
      }
      JsonNode meta = new ObjectMapper().readTree(out.resolve("reports/runner.meta.json").toFile());
      String cd = meta.path("container_digest").asText("");
      if (!id.equals(meta.path("runner_id").asText())) {
        return "runner.meta.json runner_id is " + meta.path("runner_id");
      }
      if (cd.isEmpty() || !cd.equals(digest)) {
        return "runner.meta.json container_digest is '" + cd + "', not " + digest;
      }
      if (meta.path("environment_fingerprint").path("runtime_version").asText("").isEmpty()) {
        return "runner.meta.json has no runtime_version";
      }
    } catch (IOException e) {
      return "reports/runner.meta.json is not valid: " + e.getMessage().split("\n")[0];
    }
    return null;
  }

  static List<Outcome> runAll(
      List<String> ids, Path runners, ImageStore store, Executor executor, Path scratch) {
    List<Outcome> out = new ArrayList<>();
    for (String id : ids) {
      out.add(run(id, runners, store, executor, scratch));
    }
    return out;
  }
}
