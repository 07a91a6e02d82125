package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.limits.LimitKind;
import io.quackrunner.limits.Limits;
import io.quackrunner.limits.LimitsRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cgroup v2 path on a pure v2 host: delegation, a fresh leaf per run, nothing left in the tree.
 * Runs where /sys/fs/cgroup is cgroup2 with the controllers (bin/vm-test's virtual machines, via
 * VmChecks); on a v1 or hybrid host every test is skipped.
 */
class CgroupV2IT {
  private static final Path MOUNT = Path.of("/sys/fs/cgroup");
  private static final Path SELF = Path.of("/proc/self/cgroup");
  private static SandboxHarness h;

  @BeforeAll
  static void open() throws Exception {
    assumeTrue(CgroupMode.detect(MOUNT) == CgroupMode.V2, "not a cgroup v2 host");
    h = new SandboxHarness();
  }

  private static Path pool() {
    return CgroupV2Tree.delegatedRoot(MOUNT, SELF).resolve("quackrunner");
  }

  /** Every cgroup under the pool with members, and every run leaf left over. */
  private static List<String> leftovers() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(pool())) {
      for (Path d : s.filter(Files::isDirectory).toList()) {
        if (d.getFileName().toString().equals(CgroupV2Slot.RUN)) {
          out.add("leaf " + d);
        }
        String procs = Files.readString(d.resolve("cgroup.procs")).strip();
        if (!procs.isEmpty()) {
          out.add(d + " holds " + procs.replace('\n', ' '));
        }
      }
    }
    return out;
  }

  @Test
  void infoNamesTheDelegatedRootControllersAndFeatures() {
    Map<String, String> f = HostProbe.cgroupFacts(MOUNT, SELF);
    assertThat(f.get("cgroup.mode")).isEqualTo("v2");
    assertThat(f.get("cgroup.root")).isEqualTo(CgroupV2Tree.delegatedRoot(MOUNT, SELF).toString());
    assertThat(f.get("cgroup.controllers")).contains("memory").contains("pids");
    assertThat(f.get("cgroup.features"))
        .contains("cgroup.kill=yes")
        .contains("memory.peak=yes")
        .contains("peak=fresh-leaf");
  }

  @Test
  void aDelegatedRunnerMovedItselfIntoALeaf() throws IOException {
    String own = CgroupV2Tree.ownPath(SELF);
    if (own.equals("/")) {
      // no systemd: the root cgroup is exempt from the no-internal-processes rule
      assertThat(Files.readString(MOUNT.resolve("cgroup.subtree_control")))
          .contains("memory")
          .contains("pids");
      return;
    }
    assertThat(own).endsWith("/" + CgroupV2Tree.LEAF);
    Path root = MOUNT.resolve(own.substring(1)).getParent();
    assertThat(Files.readString(root.resolve("cgroup.procs")).strip()).isEmpty();
    assertThat(Files.readString(root.resolve("cgroup.subtree_control")))
        .contains("memory")
        .contains("pids");
  }

  @Test
  void eachRunGetsAFreshLeafThatIsGoneAfterwards() throws IOException {
    SandboxOutcome o =
        h.run(
            SandboxHarness.limits(LimitsRequest.DEFAULTS),
            null,
            "sh",
            "-c",
            "cat /proc/self/cgroup");
    try (var ws = o.workspace()) {
      assertThat(o.exitCode()).isZero();
      // the sandbox has its own cgroup namespace rooted at the run's leaf
      assertThat(SandboxHarness.stdout(o).strip()).isEqualTo("0::/");
    }
    assertThat(leftovers()).isEmpty();
  }

  /**
   * memory.oom.group kills bubblewrap with the command, so an OOM run has no exit code; the
   * watchdog's poll can miss the kill when everything dies between two ticks. Each run must still
   * be the memory limit, never "the sandbox did not start the command" (issue 18), whether the kill
   * lands at once (one big block) or after a few allocations.
   */
  @Test
  void everyGroupOomKillIsTheMemoryLimit() throws IOException {
    Limits l =
        SandboxHarness.limits(
            new LimitsRequest(120_000L, null, 48L << 20, null, null, null, null, null, null));
    // Each program prints first, so the outcome shows the command had started: the kill is not
    // during the sandbox's set-up.
    String[] programs = {
      "x = bytearray(256 << 20)",
      "x = []\nwhile True: x.append(bytearray(4 << 20))",
      "import os\nos.fork()\nx = bytearray(256 << 20)",
      "x = bytearray(256 << 20)",
    };
    for (String code : programs) {
      SandboxOutcome o =
          h.run(
              l,
              null,
              Map.of(),
              "python-3.11",
              "python3",
              "-c",
              "print('up', flush=True)\n" + code);
      try (var ws = o.workspace()) {
        System.out.printf(
            "group OOM: exit %s signal %s limit %s usage %s%n",
            o.exitCode(), o.signal(), o.breached(), o.usage());
        assertThat(SandboxHarness.stdout(o)).as(code).startsWith("up");
        assertThat(o.breached()).as(code).isEqualTo(LimitKind.MEMORY);
        assertThat(o.usage().oomKills()).as(code).isPositive();
        assertThat(o.signal()).as(code).isEqualTo(9);
      }
    }
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void aControllerTheParentDoesNotDelegateFailsStartUpWithOneLine() throws IOException {
    Path parent = MOUNT.resolve("qr-undelegated");
    Path inner = parent.resolve("inner");
    Files.createDirectories(inner);
    Path fake = Files.createTempFile("qr-self-cgroup", "");
    try {
      Files.writeString(fake, "0::/qr-undelegated/inner\n");
      assertThatThrownBy(() -> CgroupV2Tree.prepare(MOUNT, fake))
          .isInstanceOf(RunnerException.class)
          .hasMessageContaining(inner.resolve("cgroup.controllers").toString())
          .hasMessageContaining(parent.resolve("cgroup.subtree_control").toString())
          .hasMessageContaining("Delegate=yes")
          .hasMessageNotContaining("\n");
      assertThat(Files.exists(inner.resolve(CgroupV2Tree.LEAF))).isFalse();
    } finally {
      Files.delete(inner);
      Files.delete(parent);
      Files.delete(fake);
    }
  }

  @Test
  void aRunnerKilledWithSigkillLeavesNothingInTheTree() throws Exception {
    String marker = "93.1" + (System.nanoTime() % 1000);
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child =
        new ProcessBuilder(
                List.of(
                    java,
                    "--enable-native-access=ALL-UNNAMED",
                    "-XX:TieredStopAtLevel=1",
                    "-Dquackrunner.libexec=" + System.getProperty("quackrunner.libexec"),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.quackrunner.execution.SandboxChild",
                    marker))
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.equals("started")) {
      System.out.println("child: " + line);
    }
    assertThat(line).isEqualTo("started");
    assertThat(alive(marker)).hasSizeGreaterThanOrEqualTo(2);
    child.destroyForcibly().waitFor();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!alive(marker).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(alive(marker)).as("sandbox processes after the runner died").isEmpty();
    // The dead runner's leaf is empty now; the next runner to start removes it.
    new SandboxHarness();
    assertThat(leftovers()).isEmpty();
  }

  private static List<Long> alive(String marker) {
    return ProcessHandle.allProcesses()
        .filter(
            p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }
}
