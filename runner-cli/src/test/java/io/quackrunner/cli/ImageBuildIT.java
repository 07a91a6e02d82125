package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runner image build}, {@code runner smoke} and {@code runner check} through the real
 * launcher on images built with mmdebstrap from Debian's mirror (docs/IMAGES.md). The set-up builds
 * base, python-3.11 and node-20 into the machine's layout cache ({@code RUNNER_IMAGE_CACHE},
 * default /var/cache/quackrunner/images, keyed by recipe hash and the suite's InRelease): a fresh
 * machine builds them (minutes), later runs only import them (seconds). One test always builds base
 * afresh to show two builds give the same digest.
 */
class ImageBuildIT {
  @TempDir static Path work;

  private static RunnerProcess runner;
  private static final Map<String, String> digests = new HashMap<>();
  private static final Map<String, Path> layouts = new HashMap<>();
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void buildImages() {
    runner = RunnerProcess.withState(work).timeout(3600);
    var built = runner.run("image", "build", "base", "python-3.11", "node-20").succeeds();
    for (String l : built.stdoutLines()) {
      String[] f = l.split("\t");
      digests.put(f[1], f[0]);
      layouts.put(f[1], Path.of(f[f.length - 1]));
    }
    assertThat(digests).containsOnlyKeys("base", "python-3.11", "node-20");
  }

  private static String layoutManifest(Path layout) throws Exception {
    return JSON.readTree(layout.resolve("index.json").toFile())
        .get("manifests")
        .get(0)
        .get("digest")
        .asText();
  }

  @Test
  void smokePassesForBasePythonAndNode() {
    var r = runner.run("smoke", "base", "python-3.11", "node-20").succeeds();
    assertThat(r.stdoutLines())
        .hasSize(3)
        .satisfiesExactly(
            l -> assertThat(l).startsWith("ok\tbase\t" + digests.get("base") + "\tdebian 12."),
            l ->
                assertThat(l)
                    .startsWith(
                        "ok\tpython-3.11\t" + digests.get("python-3.11") + "\tpython 3.11."),
            l -> assertThat(l).startsWith("ok\tnode-20\t" + digests.get("node-20") + "\tnode 20."));
  }

  @Test
  void theExamplePythonToolRunsOnTheImageWithTheLayoutsDigest() throws Exception {
    Path in = Files.createDirectories(work.resolve("py-in"));
    Files.createDirectories(in.resolve("_tool"));
    Files.copy(
        RunnerProcess.HOME.resolve("registry/tools/python/quack-python.sh"),
        in.resolve("_tool/quack-python.sh"));
    Files.writeString(
        in.resolve("hello.py"),
        "import os, sys\n"
            + "open(os.path.join(os.environ['OUT_DIR'], 'v.txt'), 'w').write(sys.version)\n"
            + "print(open('/etc/debian_version').read().strip())\n");
    Path out = work.resolve("py-out");
    var r =
        runner
            .run(
                "exec",
                "--runtime",
                "python-3.11",
                "--in",
                in.toString(),
                "--out-dir",
                out.toString(),
                "--",
                "sh",
                "/workspace/in/_tool/quack-python.sh",
                "run",
                "--script=hello.py")
            .succeeds();
    String digest = layoutManifest(layouts.get("python-3.11"));
    JsonNode meta = JSON.readTree(out.resolve("reports/runner.meta.json").toFile());
    assertThat(meta.get("container_digest").asText())
        .isEqualTo(digest)
        .isEqualTo(digests.get("python-3.11"));
    assertThat(meta.get("image").asText()).isEqualTo("python-3.11@" + digest);
    assertThat(meta.at("/environment_fingerprint/runtime_version").asText()).startsWith("3.11.");
    assertThat(Files.readString(out.resolve("v.txt"))).startsWith("3.11.");
    // The image's Debian, not necessarily the host's.
    assertThat(r.stdout().strip())
        .isEqualTo(
            Files.readString(
                    work.resolve("state/images/roots")
                        .resolve(digest.substring(7))
                        .resolve("rootfs/etc/debian_version"))
                .strip());
  }

  @Test
  void twoBuildsGiveTheSameDigestAndAChangedRecipeAnother() throws Exception {
    // A fresh build of base (not from the cache) gives the cached build's digest.
    var fresh = runner.run("image", "build", "--no-cache", "base").succeeds();
    assertThat(fresh.stdout()).startsWith(digests.get("base") + "\tbase\t").contains("\tbuilt ");

    // The same recipe with one package more (in a copy of runners/, cached like the others).
    Path runners = Files.createDirectories(work.resolve("runners/base"));
    String recipe =
        Files.readString(RunnerProcess.HOME.resolve("runners/base/recipe.json"))
            .replace("\"include\": []", "\"include\": [\"hello\"]");
    Files.writeString(runners.resolve("recipe.json"), recipe);
    Files.copy(RunnerProcess.HOME.resolve("runners/base/smoke.sh"), runners.resolve("smoke.sh"));
    RunnerProcess other =
        RunnerProcess.withState(Files.createDirectories(work.resolve("other")))
            .env("RUNNER_RUNNERS_DIR", work.resolve("runners").toString())
            .timeout(3600);
    String changed = other.run("image", "build", "base").succeeds().stdout().split("\t")[0];
    assertThat(changed).startsWith("sha256:").isNotEqualTo(digests.get("base"));
    Path out = work.resolve("hello-out");
    other.run("exec", "--runtime", "base", "--out-dir", out.toString(), "--", "hello").succeeds();
    JsonNode meta = JSON.readTree(out.resolve("reports/runner.meta.json").toFile());
    assertThat(meta.get("container_digest").asText()).isEqualTo(changed);
  }

  @Test
  void dotnet8FailsWithOneLineSayingWhatIsMissing() {
    runner.run("image", "build", "dotnet-8").failsWithOneLine(125, "missing the .NET 8 SDK");
    assertThat(runner.run("smoke", "dotnet-8").exitCode()).isEqualTo(1);
    runner
        .run("exec", "--runtime", "dotnet-8", "--", "dotnet", "--version")
        .failsWithOneLine(125, "dotnet");
  }

  @Test
  void checkRefusesARegistryThatReferencesAMissingRunner() throws Exception {
    Path ok = registry("ok.yaml", "python-3.11");
    var passed = runner.run("check", "--registry", ok.toString()).succeeds();
    assertThat(passed.stdoutLines())
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("ok\tpython-3.11\t"));

    Path gcc = registry("gcc.yaml", "gcc-12");
    var refused = runner.run("check", "--registry", gcc.toString());
    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(1);
    assertThat(refused.stdoutLines())
        .contains(
            "unaligned\ttool t version 1.0: runner gcc-12 has no runner directory "
                + RunnerProcess.HOME.resolve("runners/gcc-12"),
            "unaligned\ttool t version 1.0: runner gcc-12 has no imported image named gcc-12"
                + " (runner image build gcc-12)");
  }

  @Test
  void serveRefusesARegistryReferencingARunnerItDoesNotHave() throws Exception {
    Path reg = registry("dotnet.yaml", "dotnet-8");
    runner.serveRefuses(reg, "tool t version 1.0: runner dotnet-8 is not on this host");
  }

  private static Path registry(String name, String runtime) throws Exception {
    return Files.writeString(
        work.resolve(name),
        """
        registry: 1
        tools:
          - name: t
            versions:
              - version: "1.0"
                runtime: %s
                entrypoint: [echo]
                verbs:
                  say: {}
        """
            .formatted(runtime));
  }
}
