package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.artifacts.ArtifactViolation;
import io.quackrunner.limits.LimitKind;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.limits.NetworkMode;
import io.quackrunner.runtime.RuntimeProfiles;
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attacks from inside the sandbox. Each test names the defence it checks; removing that defence
 * makes the test fail.
 */
class AttackIT {
  static ExecHarness h;

  @BeforeAll
  static void open() throws Exception {
    h = new ExecHarness();
  }

  private static LimitsRequest lim(
      Long wall,
      Long cpu,
      Long mem,
      Long pids,
      Long output,
      Long file,
      Long out,
      Long tmp,
      NetworkMode net) {
    return new LimitsRequest(wall, cpu, mem, pids, output, file, out, tmp, net);
  }

  @Test
  void forkBombIsStoppedByThePidsCgroup() throws Exception {
    ExecutionResult r =
        h.sh(
            lim(20_000L, null, null, 64L, null, null, null, null, null),
            "f() { f | f & }; f; sleep 30");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.PIDS);
    assertThat(r.wallTimeMs()).isLessThan(15_000);
    assertThat(alive("fork-bomb-marker")).isEmpty();
  }

  @Test
  void memoryBombIsOomKilledAndReportedAsTheMemoryLimit() {
    ExecutionResult r =
        h.run(
            lim(20_000L, null, 64L << 20, null, null, null, null, null, null),
            null,
            "python-3.11",
            "python3",
            "-c",
            "x = []\nwhile True: x.append(bytearray(8 << 20))");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.MEMORY);
    assertThat(r.peakMemoryBytes()).isGreaterThan(32L << 20).isLessThanOrEqualTo(64L << 20);
    assertThat(r.cliExitCode()).isEqualTo(137);
  }

  @Test
  void cpuSpinPastTheTimeoutIsKilledWith124() {
    ExecutionResult r = h.sh(ExecHarness.wall(1_000), "while :; do :; done");
    assertThat(r.status()).isEqualTo(RunStatus.TIMED_OUT);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.WALL_TIME);
    assertThat(r.cliExitCode()).isEqualTo(124);
    assertThat(r.wallTimeMs()).isBetween(1_000L, 5_000L);
    // It spun (on a loaded 2-core host it may get well under half a CPU for that second).
    assertThat(r.cpuTimeMs()).isPositive();
  }

  @Test
  void cpuTimeLimitIsEnforcedByTheKernel() {
    ExecutionResult r =
        h.sh(lim(20_000L, 1_000L, null, null, null, null, null, null, null), "while :; do :; done");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.CPU_TIME);
    // SIGXCPU when RLIMIT_CPU fired first, SIGKILL when the watchdog saw the cgroup total first
    assertThat(r.signal()).isIn(24, 9);
    assertThat(r.cpuTimeMs())
        .isBetween(500L, 2_000L); // cpuacct and the rlimit clock differ a little
  }

  @Test
  void stdoutFloodIsCutAtTheOutputLimit() {
    ExecutionResult r =
        h.sh(lim(20_000L, null, null, null, 1L << 20, null, null, null, null), "yes flood");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.OUTPUT);
    assertThat(r.stdout().sizeBytes()).isEqualTo(1L << 20);
    assertThat(r.stdout().truncated()).isTrue();
  }

  @Test
  void fillingOutIsStoppedAtTheOutDirLimit() {
    ExecutionResult r =
        h.sh(
            lim(20_000L, null, null, null, null, null, 4L << 20, null, null),
            "dd if=/dev/zero of=$OUT_DIR/big bs=1M count=64");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.OUT_DIR);
    assertThat(r.artifacts().get(0).sizeBytes()).isLessThanOrEqualTo(4L << 20);
  }

  @Test
  void fillingTmpIsStoppedAtTheTmpDirLimit() {
    ExecutionResult r =
        h.sh(
            lim(20_000L, null, null, null, null, null, null, 4L << 20, null),
            "dd if=/dev/zero of=/tmp/big bs=1M count=64");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.TMP_DIR);
  }

  @Test
  void aSingleFileIsCappedByRlimitFsize() {
    ExecutionResult r =
        h.sh(
            lim(20_000L, null, null, null, null, 1L << 20, null, null, null),
            "dd if=/dev/zero of=$OUT_DIR/big bs=64k count=64");
    assertThat(r.status()).isEqualTo(RunStatus.LIMIT_EXCEEDED);
    assertThat(r.limitExceeded()).isEqualTo(LimitKind.FILE_SIZE);
    assertThat(r.artifacts().get(0).sizeBytes()).isEqualTo(1L << 20);
  }

  @Test
  void noNetworkEgressNotEvenToTheHostLoopback() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(200);
      int port = server.getLocalPort();
      String probe =
          "import socket\n"
              + "for fam in (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET):\n"
              + "    try:\n"
              + "        s = socket.socket(fam, socket.SOCK_STREAM if fam != socket.AF_PACKET else socket.SOCK_RAW)\n"
              + "        s.settimeout(2); s.connect(('127.0.0.1', "
              + port
              + ")); print('CONNECTED', fam)\n"
              + "    except OSError as e: print('refused', fam, e.errno)\n";
      for (NetworkMode mode : List.of(NetworkMode.NONE, NetworkMode.LOOPBACK)) {
        ExecutionResult r =
            h.run(
                lim(20_000L, null, null, null, null, null, null, null, mode),
                null,
                "python-3.11",
                "python3",
                "-c",
                probe);
        assertThat(ExecHarness.stdout(r)).as(mode.label()).doesNotContain("CONNECTED");
        if (mode == NetworkMode.NONE) {
          assertThat(ExecHarness.stdout(r)).contains("refused 2 97"); // EAFNOSUPPORT from seccomp
        }
      }
      assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
    }
    assertThatThrownBy(
            () ->
                h.sh(lim(null, null, null, null, null, null, null, null, NetworkMode.HOST), "true"))
        .hasMessageContaining("network host is not allowed");
  }

  @Test
  void hostSecretsAreNotVisible() throws Exception {
    String shadowRoot = Files.readAllLines(Path.of("/etc/shadow")).get(0);
    String secret = System.getenv("QR_TEST_SECRET");
    assertThat(secret).as("failsafe sets QR_TEST_SECRET for this test").isNotBlank();
    ExecutionResult r =
        h.sh(
            "cat /etc/shadow; env; tr '\\0' '\\n' < /proc/1/environ; tr '\\0' '\\n' < /proc/$$/environ;"
                + " ls /root /home /proc/1/root/root 2>&1; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'");
    String all = ExecHarness.stdout(r) + ExecHarness.stderr(r);
    assertThat(all).doesNotContain(shadowRoot).doesNotContain(secret);
    assertThat(all).contains("/etc/shadow: No such file or directory");
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      if (e.getValue().length() >= 8 && !e.getKey().equals("PATH")) {
        assertThat(all)
            .as("host env " + e.getKey())
            .doesNotContain(e.getKey() + "=" + e.getValue());
      }
    }
  }

  @Test
  void writesOutsideOutFail() throws Exception {
    Path in = Files.createTempDirectory(h.state, "in");
    Files.writeString(in.resolve("data.txt"), "input");
    ExecutionResult r =
        h.run(
            ExecHarness.limits(),
            in,
            null,
            "sh",
            "-c",
            "for f in /workspace/x /workspace/in/data.txt /workspace/in/new /usr/x /etc/x /x /proc/sys/kernel/hostname; do"
                + " (echo pwned > $f) 2>/dev/null && echo WROTE $f; done; echo done");
    assertThat(ExecHarness.stdout(r)).isEqualTo("done\n");
    assertThat(Files.readString(in.resolve("data.txt"))).isEqualTo("input");
  }

  @Test
  void linksFifosAndDevicesInOutAreViolationsNeverRead() throws Exception {
    String passwd = Files.readString(Path.of("/etc/passwd"));
    ExecutionResult r =
        h.sh(
            "echo ok > $OUT_DIR/good.txt; ln -s /etc/passwd $OUT_DIR/sym; ln -s /etc/shadow $OUT_DIR/sym2;"
                + " echo x > $OUT_DIR/a; ln $OUT_DIR/a $OUT_DIR/hard; mkfifo $OUT_DIR/fifo;"
                + " mknod $OUT_DIR/null c 1 3 2>/dev/null || echo mknod-refused;"
                + " python3 -c \"import socket; socket.socket(socket.AF_UNIX).bind('$OUT_DIR/sock')\"");
    assertThat(ExecHarness.stdout(r)).contains("mknod-refused");
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.errorKind()).isEqualTo(io.quackrunner.errors.ErrorKind.ARTIFACT_VIOLATION);
    Map<String, String> kinds =
        r.violations().stream()
            .collect(Collectors.toMap(ArtifactViolation::path, ArtifactViolation::kind));
    assertThat(kinds)
        .containsEntry("sym", "symlink")
        .containsEntry("sym2", "symlink")
        .containsEntry("a", "hardlink")
        .containsEntry("hard", "hardlink")
        .containsEntry("fifo", "fifo")
        .containsEntry("sock", "socket");
    assertThat(r.artifacts()).extracting(a -> a.path()).containsExactly("good.txt");
    try (var files = Files.walk(r.outDir())) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(p)).as(p.toString()).doesNotContain(passwd.substring(0, 20));
      }
    }
    assertThat(Files.exists(r.outDir().resolve("sym"))).isFalse();
  }

  @Test
  void aDoubleForkedSetsidDaemonDoesNotOutliveTheRun() throws Exception {
    ExecutionResult r =
        h.sh(
            "(setsid sh -c 'trap \"\" HUP TERM; sleep 60' > /dev/null 2>&1 &) ; sleep 0.2; echo parent-exits");
    assertThat(ExecHarness.stdout(r)).isEqualTo("parent-exits\n");
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(alive("61.234")).isEmpty();
  }

  @Test
  void descriptorsTheRunnerHadOpenAreNotInherited() throws Exception {
    Path secret = Files.createTempFile(h.state, "fd", ".txt");
    Files.writeString(secret, "runner-private");
    try (FileInputStream held = new FileInputStream(secret.toFile())) {
      ExecutionResult r =
          h.run(
              ExecHarness.limits(),
              null,
              "python-3.11",
              "python3",
              "-c",
              "import os\nopen_fds = []\nfor fd in range(3, 65536):\n"
                  + "    try: os.fstat(fd); open_fds.append(fd)\n    except OSError: pass\nprint(open_fds)");
      assertThat(held.getFD().valid()).isTrue();
      assertThat(ExecHarness.stdout(r)).isEqualTo("[]\n");
    }
  }

  @Test
  void aSetuidRootBinaryGivesNoPrivilege() throws Exception {
    // Not under /tmp: the sandbox's /tmp is its own tmpfs, which would hide the bind.
    Path bindDir = Files.createTempDirectory(Path.of("/var/tmp"), "qr-suid");
    Files.setPosixFilePermissions(bindDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path id = bindDir.resolve("id");
    Files.copy(Path.of("/usr/bin/id"), id);
    ExecHarness.host(bindDir, "chmod", "4755", id.toString());
    assertThat(Files.getAttribute(id, "unix:mode").toString())
        .isEqualTo(Integer.toString(04755 | 0100000));
    Path profiles = h.state.resolve("suid-runtimes.json");
    Files.writeString(
        profiles,
        "[{\"id\":\"suid\",\"type\":\"debian\",\"version_command\":[\"/usr/bin/cat\",\"/etc/debian_version\"],"
            + "\"version_pattern\":\"(\\\\S+)\",\"binds\":[\""
            + bindDir
            + "\"]}]");
    ExecHarness withBind = new ExecHarness(RuntimeProfiles.load(profiles));
    ExecutionResult r = withBind.run(ExecHarness.limits(), null, "suid", id.toString(), "-u");
    assertThat(ExecHarness.stdout(r)).as(r + ExecHarness.stderr(r)).isEqualTo("1000\n");
    ExecutionResult su = withBind.run(ExecHarness.limits(), null, "suid", "su", "-c", "id -u");
    assertThat(ExecHarness.stdout(su)).doesNotContain("0\n");
    assertThat(su.status()).isEqualTo(RunStatus.FAILED);
    Files.delete(id);
    Files.delete(bindDir);
  }

  @Test
  void ptraceOfASiblingIsRefused() throws Exception {
    ExecutionResult r =
        h.run(
            ExecHarness.limits(),
            null,
            "python-3.11",
            "python3",
            "-c",
            "import ctypes, os, time\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                + "pid = os.fork()\nif pid == 0:\n    time.sleep(5); os._exit(0)\n"
                + "rc = libc.ptrace(16, pid, 0, 0)\nprint('ptrace', rc, ctypes.get_errno())\n"
                + "rc = libc.syscall(250, 1, 0, 0, 0)  # keyctl(KEYCTL_JOIN_SESSION_KEYRING)\n"
                + "print('keyctl', rc, ctypes.get_errno())\n"
                + "rc = libc.unshare(0x10000000)  # CLONE_NEWUSER\nprint('unshare', rc, ctypes.get_errno())\n"
                + "os.kill(pid, 9)");
    assertThat(ExecHarness.stdout(r)).contains("ptrace -1 1\n", "keyctl -1 1\n", "unshare -1 1\n");
  }

  @Test
  void terminalInjectionIsRefused() throws Exception {
    ExecutionResult r =
        h.run(
            ExecHarness.limits(),
            null,
            "python-3.11",
            "python3",
            "-c",
            "import os, fcntl, termios\nm, s = os.openpty()\nname = os.ttyname(s)\npid = os.fork()\n"
                + "if pid == 0:\n    os.setsid()\n    fd = os.open(name, os.O_RDWR)\n"
                + "    try:\n        fcntl.ioctl(fd, termios.TIOCSTI, b'x'); print('TIOCSTI allowed')\n"
                + "    except OSError as e: print('TIOCSTI refused', e.errno)\n    os._exit(0)\n"
                + "os.waitpid(pid, 0)");
    assertThat(ExecHarness.stdout(r)).isEqualTo("TIOCSTI refused 1\n");
  }

  @Test
  void theSandboxRunsWithoutCapabilitiesAsTheDedicatedUid() throws Exception {
    ExecutionResult r =
        h.sh("grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status; id -u");
    assertThat(ExecHarness.stdout(r))
        .contains(
            "CapEff:\t0000000000000000",
            "CapBnd:\t0000000000000000",
            "NoNewPrivs:\t1",
            "Seccomp:\t2")
        .endsWith("1000\n");
    assertThat(r.sandbox().hostUid()).isGreaterThanOrEqualTo(970_000);
  }

  /** Returns the pids on the host whose command line contains {@code marker} (read as ps would). */
  static List<Long> alive(String marker) {
    return ProcessHandle.allProcesses()
        .filter(
            p -> p.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }
}
