package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.limits.NetworkMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kernel surface a run can reach: the seccomp allow-list (io_uring, socket families compared on
 * the low 32 bits, ENOSYS for everything unlisted, foreign syscall ABIs) and the mounts it can see
 * (/dev/shm size, mountinfo). The probes are small C programs compiled here with the host's gcc and
 * handed to the run as inputs. No probe connects a socket: creating one and reading the error is
 * the whole test (nothing listening on vsock on this machine is ours).
 */
class KernelSurfaceIT {
  static ExecHarness h;
  static Path probes;

  @BeforeAll
  static void open() throws Exception {
    h = new ExecHarness();
    probes = Files.createTempDirectory(h.state, "probes");
    Files.setPosixFilePermissions(probes, PosixFilePermissions.fromString("rwxr-xr-x"));
    compile("syscalls.c", "syscalls");
    compile("foreign_arch.c", "foreign_arch", "-static", "-pthread");
  }

  private static void compile(String source, String binary, String... flags) throws Exception {
    Path src = probes.resolve(source);
    try (InputStream in = KernelSurfaceIT.class.getResourceAsStream("probes/" + source)) {
      Files.copy(in, src);
    }
    List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-Werror"));
    cmd.addAll(List.of(flags));
    cmd.addAll(List.of("-o", probes.resolve(binary).toString(), src.toString()));
    String out = ExecHarness.host(probes, cmd.toArray(String[]::new));
    assertThat(probes.resolve(binary)).as("gcc: " + out).isExecutable();
    Files.delete(src);
  }

  private static LimitsRequest net(NetworkMode mode) {
    return new LimitsRequest(20_000L, null, null, null, null, null, null, null, mode);
  }

  /** Runs the syscall probe and returns its lines as NAME -> "RC ERRNO". */
  private static Map<String, String> probe(NetworkMode mode, ExecutionResult[] result)
      throws IOException {
    ExecutionResult r = h.run(net(mode), probes, null, "/workspace/in/syscalls");
    result[0] = r;
    String out = ExecHarness.stdout(r);
    assertThat(out).as(ExecHarness.stderr(r)).endsWith("alive\n");
    return out.lines()
        .filter(l -> l.contains(" "))
        .collect(
            Collectors.toMap(
                l -> l.substring(0, l.indexOf(' ')), l -> l.substring(l.indexOf(' ') + 1)));
  }

  @Test
  void ioUringIsRefused() throws Exception {
    ExecutionResult[] r = new ExecutionResult[1];
    Map<String, String> calls = probe(NetworkMode.NONE, r);
    assertThat(calls)
        .containsEntry("io_uring_setup", "-1 1")
        .containsEntry("io_uring_enter", "-1 1")
        .containsEntry("io_uring_register", "-1 1");
  }

  @Test
  void refusedSocketFamiliesStayRefusedWithBit32Set() throws Exception {
    ExecutionResult[] r = new ExecutionResult[1];
    for (NetworkMode mode : List.of(NetworkMode.NONE, NetworkMode.LOOPBACK)) {
      Map<String, String> calls = probe(mode, r);
      List<String> refused = new ArrayList<>(List.of("vsock", "packet", "alg", "key", "bluetooth"));
      List<String> allowed = new ArrayList<>(List.of("unix"));
      (mode == NetworkMode.NONE ? refused : allowed).addAll(List.of("inet", "inet6", "netlink"));
      for (String family : refused) {
        for (String suffix : List.of("", "-bit32")) {
          assertThat(calls)
              .as(mode.label())
              .containsEntry("socket-" + family + suffix, "-1 97"); // EAFNOSUPPORT
        }
      }
      for (String family : allowed) {
        for (String suffix : List.of("", "-bit32")) {
          assertThat(calls).as(mode.label()).containsEntry("socket-" + family + suffix, "0 0");
        }
      }
      assertThat(calls).as(mode.label()).containsEntry("socketpair-inet-bit32", "-1 97");
    }
  }

  @Test
  void syscallsOutsideTheAllowListAnswerEnosysAndTheRunGoesOn() throws Exception {
    ExecutionResult[] r = new ExecutionResult[1];
    Map<String, String> calls = probe(NetworkMode.NONE, r);
    // Linux AIO and kcmp work for any unprivileged process without the filter.
    assertThat(calls).containsEntry("io_setup", "-1 38").containsEntry("kcmp", "-1 38");
    // The new mount API and namespace flags: an explicit EPERM.
    assertThat(calls)
        .containsEntry("fsopen", "-1 1")
        .containsEntry("open_tree", "-1 1")
        .containsEntry("fspick", "-1 1")
        .containsEntry("mount_setattr", "-1 1")
        .containsEntry("unshare-newns", "-1 1");
    assertThat(r[0].status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r[0].exitCode()).isZero();
  }

  @Test
  void anX32SyscallKillsTheWholeProcess() throws Exception {
    ExecutionResult r =
        h.run(ExecHarness.limits(), probes, null, "/workspace/in/foreign_arch", "x32");
    // Without the filter the kernel answers ENOSYS (no x32 ABI here) and the main thread prints
    // "main-survived"; a filter that killed only the calling thread would print it too.
    assertThat(ExecHarness.stdout(r)).isEqualTo("start\n");
    assertThat(r.signal()).isEqualTo(31); // SIGSYS
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void anI386SyscallNeverWrites() throws Exception {
    ExecutionResult r =
        h.run(ExecHarness.limits(), probes, null, "/workspace/in/foreign_arch", "i386");
    // The filter kills an i386 syscall (SIGSYS). A kernel that does not accept int 0x80 at all
    // (this Firecracker guest raises #GP: SIGSEGV) stops it before the filter sees it.
    assertThat(ExecHarness.stdout(r)).isEqualTo("start\n");
    assertThat(r.signal()).isIn(31, 11);
  }

  @Test
  void devShmIsATmpfsSizedLikeTmp() throws Exception {
    ExecutionResult r =
        h.sh(
            new LimitsRequest(20_000L, null, null, null, null, null, null, 4L << 20, null),
            "stat -f -c '%b %S' /dev/shm; stat -c '%a' /dev/shm;"
                + " dd if=/dev/zero of=/dev/shm/fill bs=1M count=8 2>&1 | grep -o 'No space left'");
    List<String> lines = ExecHarness.stdout(r).lines().toList();
    String[] blocks = lines.get(0).split(" ");
    assertThat(Long.parseLong(blocks[0]) * Long.parseLong(blocks[1])).isEqualTo(4L << 20);
    assertThat(lines.subList(1, lines.size())).containsExactly("1777", "No space left");
  }

  @Test
  void mountinfoNamesNoHostPath() throws Exception {
    Path in = Files.createTempDirectory(h.state, "in");
    Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(in.resolve("data.txt"), "input");
    ExecutionResult r =
        h.run(
            ExecHarness.limits(),
            in,
            null,
            "sh",
            "-c",
            "cat /proc/self/mountinfo; cat /workspace/in/data.txt; grep -c sandbox /etc/passwd");
    String mountinfo = ExecHarness.stdout(r);
    assertThat(mountinfo)
        .contains(" /workspace/in ", " /workspace/out ", " /tmp ", " /etc ", " /dev/shm ")
        .contains(" /etc/ld.so.cache /etc/ld.so.cache ")
        .endsWith("input1\n");
    assertThat(mountinfo)
        .doesNotContain(h.state.toString())
        .doesNotContain(r.executionId())
        .doesNotContain("sandboxes")
        .doesNotContain("/run/quackrunner"); // the host's /etc view is a tmpfs root: "/"
    // /etc is the view's tmpfs, read-only, its root "/"; passwd and group are files in it.
    assertThat(
            mountinfo
                .lines()
                .filter(l -> l.split(" ").length > 5 && l.split(" ")[4].equals("/etc")))
        .singleElement()
        .satisfies(l -> assertThat(l.split(" ")[3]).isEqualTo("/"))
        .satisfies(l -> assertThat(l.split(" ")[5]).startsWith("ro,"))
        .satisfies(l -> assertThat(l).contains(" - tmpfs "));
    assertThat(mountinfo).doesNotContain(" /etc/passwd ");
  }

  @Test
  void etcIsReadOnlyAndShowsOnlyTheListedHostEntries() throws Exception {
    ExecutionResult r =
        h.run(
            ExecHarness.limits(),
            null,
            null,
            "sh",
            "-c",
            "ls -A /etc | tr '\\n' ' '; echo;"
                + " for f in /etc/passwd /etc/x /etc/ld.so.conf.d/x; do"
                + " (echo x > $f) 2>&1 | grep -o 'Read-only file system'; done;"
                + " getent passwd sandbox");
    assertThat(ExecHarness.stdout(r))
        .isEqualTo(
            "alternatives group ld.so.cache ld.so.conf ld.so.conf.d localtime mime.types passwd \n"
                + "Read-only file system\n".repeat(3)
                + "sandbox:x:1000:1000:sandbox:/tmp:/bin/sh\n");
  }
}
