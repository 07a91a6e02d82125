package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seccomp program kept per launcher and network mode: it is the launcher's own export, reused
 * while the launcher is unchanged, replaced when the launcher's bytes change, and a file the
 * launcher's {@code --seccomp-bpf} would not trust is refused (exit 125) rather than run.
 */
class SeccompProgramsIT {
  static final Path LAUNCHER =
      Path.of(System.getProperty("quackrunner.libexec"), "qr-sandbox-exec");

  @TempDir Path tmp;

  static byte[] export(Path launcher, String mode) throws Exception {
    Process p = new ProcessBuilder(launcher.toString(), "--export-seccomp", mode).start();
    byte[] prog = p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    return prog;
  }

  @Test
  void keepsTheLaunchersOwnExportPerModeAndReusesIt() throws Exception {
    SeccompPrograms programs = new SeccompPrograms(tmp.resolve("seccomp"));
    Path none = programs.program(LAUNCHER, SeccompPrograms.Mode.NONE);
    Path loopback = programs.program(LAUNCHER, SeccompPrograms.Mode.LOOPBACK);
    assertThat(none).isNotEqualTo(loopback);
    assertThat(Files.readAllBytes(none)).isEqualTo(export(LAUNCHER, "none"));
    assertThat(Files.readAllBytes(loopback)).isEqualTo(export(LAUNCHER, "loopback"));
    assertThat(Files.readAllBytes(none)).isNotEqualTo(Files.readAllBytes(loopback));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(none)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("seccomp"))))
        .isEqualTo("rwx------");

    // Reused: a second holder (another runner process) finds the same file and does not rewrite it.
    var before = Files.getLastModifiedTime(none);
    Thread.sleep(20);
    assertThat(
            new SeccompPrograms(tmp.resolve("seccomp"))
                .program(LAUNCHER, SeccompPrograms.Mode.NONE))
        .isEqualTo(none);
    assertThat(Files.getLastModifiedTime(none)).isEqualTo(before);
    // Removed behind its back (a cleaned /run): exported again.
    Files.delete(none);
    assertThat(programs.program(LAUNCHER, SeccompPrograms.Mode.NONE)).isEqualTo(none);
    assertThat(Files.readAllBytes(none)).isEqualTo(export(LAUNCHER, "none"));
  }

  @Test
  void aChangedLauncherGetsItsOwnProgram() throws Exception {
    Path copy = tmp.resolve("qr-sandbox-exec");
    Files.copy(LAUNCHER, copy);
    SeccompPrograms programs = new SeccompPrograms(tmp.resolve("seccomp"));
    Path first = programs.program(copy, SeccompPrograms.Mode.NONE);
    // Bytes appended past the ELF image: still the same program, but another binary.
    Files.write(copy, new byte[] {0}, StandardOpenOption.APPEND);
    Path second = programs.program(copy, SeccompPrograms.Mode.NONE);
    assertThat(second).isNotEqualTo(first);
    assertThat(Files.readAllBytes(second)).isEqualTo(export(copy, "none"));
  }

  @Test
  void theLauncherRefusesAProgramItCannotTrust() throws Exception {
    byte[] good = export(LAUNCHER, "none");
    Path writable = tmp.resolve("writable.bpf");
    Files.write(writable, good);
    Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path torn = tmp.resolve("torn.bpf");
    Files.write(torn, java.util.Arrays.copyOf(good, good.length - 3));
    Files.setPosixFilePermissions(torn, PosixFilePermissions.fromString("rw-------"));
    Path empty = tmp.resolve("empty.bpf");
    Files.write(empty, new byte[0]);
    Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
    Path link = tmp.resolve("link.bpf");
    Path ok = tmp.resolve("ok.bpf");
    Files.write(ok, good);
    Files.setPosixFilePermissions(ok, PosixFilePermissions.fromString("rw-------"));
    Files.createSymbolicLink(link, ok);
    for (Path bad : List.of(writable, torn, empty, link)) {
      List<String> cmd = new ArrayList<>();
      cmd.addAll(List.of(LAUNCHER.toString(), "--uid", "970999", "--gid", "970999"));
      cmd.addAll(List.of("--seccomp-bpf", bad.toString(), "--", "/bin/echo", "started"));
      Process p = new ProcessBuilder(cmd).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as(bad + ": " + err).isEqualTo(125);
      assertThat(out).as(bad.toString()).doesNotContain("started");
      assertThat(err).as(bad.toString()).startsWith("qr-sandbox-exec: ");
    }
  }
}
