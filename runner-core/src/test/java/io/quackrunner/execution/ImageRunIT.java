package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.images.ImageStore;
import io.quackrunner.images.StoredImage;
import io.quackrunner.limits.LimitKind;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.limits.NetworkMode;
import io.quackrunner.receipts.ExecutionReceipts;
import io.quackrunner.receipts.ReceiptPredicate;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs through the real sandbox on an image that Debian's umoci and skopeo built around
 * busybox-static ({@code runners/busybox-1/build.sh}), imported from its OCI archive: the root is
 * the image's, {@code container_digest} is the manifest digest skopeo reports, and the attack
 * tests' key cases hold on the image root as on the host's.
 */
class ImageRunIT {
  static ExecHarness h;
  static String digest;
  static String pinned;

  @BeforeAll
  static void buildAndImport() throws Exception {
    h = new ExecHarness();
    Path extra = Files.createTempDirectory(h.state, "extra");
    Files.createDirectories(extra.resolve("bin"));
    Path suid = extra.resolve("bin/busybox-suid");
    Files.copy(Path.of("/bin/busybox"), suid);
    ExecHarness.host(extra, "chmod", "4755", suid.toString());
    Path archive = h.state.resolve("busybox-1.tar");
    String built =
        ExecHarness.host(
            Path.of(".."),
            "sh",
            "runners/busybox-1/build.sh",
            archive.toString(),
            extra.toString());
    assertThat(archive).as(built).isRegularFile();
    // The digest as skopeo (not this code) computes it: SHA-256 of the raw manifest.
    String raw =
        ExecHarness.host(
            h.state, "sh", "-c", "skopeo inspect --raw oci-archive:" + archive + " | sha256sum");
    digest = "sha256:" + raw.substring(0, 64);
    StoredImage img = ImageStore.open(h.state).importFrom(archive, "busybox-1", null);
    assertThat(img.digest()).isEqualTo(digest);
    pinned = "busybox-1@" + digest;
  }

  private static ExecutionResult sh(LimitsRequest l, String script) {
    return h.run(l, null, pinned, "sh", "-c", script);
  }

  private static LimitsRequest lim(Long wall, Long pids, Long tmp, NetworkMode net) {
    return new LimitsRequest(wall, null, null, pids, null, null, null, tmp, net);
  }

  @Test
  void theRootIsTheImageAndContainerDigestIsItsManifestDigest() throws Exception {
    ExecutionResult r =
        sh(
            LimitsRequest.DEFAULTS,
            "cat /etc/os-release; test -e /usr/bin/python3 && echo HOST-USR; test -e /usr/lib/x86_64-linux-gnu && echo HOST-LIB;"
                + " echo hi > $OUT_DIR/a.txt");
    assertThat(r.status()).as(ExecHarness.stderr(r)).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(ExecHarness.stdout(r)).startsWith("ID=busybox\n").doesNotContain("HOST-");
    assertThat(r.artifacts()).extracting(a -> a.path()).containsExactly("a.txt");
    assertThat(r.sandbox().containerDigest()).isEqualTo(digest);
    assertThat(r.sandbox().image()).isEqualTo(pinned);
    assertThat(r.fingerprint().runtimeType()).isEqualTo("busybox");
    assertThat(r.fingerprint().runtimeVersion()).startsWith("1.");
    JsonNode meta =
        new ObjectMapper().readTree(r.outDir().resolve("reports/runner.meta.json").toFile());
    assertThat(meta.get("container_digest").asText()).isEqualTo(digest);
    assertThat(meta.get("image").asText()).isEqualTo(pinned);
    assertThat(meta.fieldNames())
        .toIterable()
        .startsWith("runner_id", "container_digest", "environment_fingerprint");
    ReceiptPredicate p = ExecutionReceipts.predicate(r, "sha256:" + "0".repeat(64), null);
    assertThat(p.sandbox().containerDigest()).isEqualTo(digest);
    assertThat(p.sandbox().image()).isEqualTo(pinned);
    // The image's name alone (no pin) picks the same image.
    ExecutionResult named = h.run(LimitsRequest.DEFAULTS, null, "busybox-1", "true");
    assertThat(named.sandbox().containerDigest()).isEqualTo(digest);
  }

  @Test
  void aHostBackedRunSaysHostAndNoDigest() throws Exception {
    ExecutionResult r = h.sh("true");
    JsonNode meta =
        new ObjectMapper().readTree(r.outDir().resolve("reports/runner.meta.json").toFile());
    assertThat(meta.get("container_digest").isNull()).isTrue();
    assertThat(meta.get("image").asText()).isEqualTo("host");
    ReceiptPredicate p = ExecutionReceipts.predicate(r, "sha256:" + "0".repeat(64), null);
    assertThat(p.sandbox().image()).isEqualTo("host");
    assertThat(p.sandbox().containerDigest()).isNull();
  }

  @Test
  void aPinToAnImageNotImportedIsRefusedNeverSubstituted() {
    assertThatThrownBy(
            () -> h.run(LimitsRequest.DEFAULTS, null, "busybox-1@sha256:" + "0".repeat(64), "true"))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("is not imported")
        .satisfies(e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND));
  }

  @Test
  void noCapabilitiesSeccompAndTheDedicatedUidOnTheImage() throws Exception {
    ExecutionResult r =
        sh(
            LimitsRequest.DEFAULTS,
            "grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status; id -u");
    assertThat(ExecHarness.stdout(r))
        .contains(
            "CapEff:\t0000000000000000",
            "CapBnd:\t0000000000000000",
            "NoNewPrivs:\t1",
            "Seccomp:\t2")
        .endsWith("1000\n");
    assertThat(r.sandbox().hostUid()).isGreaterThanOrEqualTo(970_000);
  }

  @Test
  void theImageRootIsReadOnlyAndItsSetuidBitWasCleared() throws Exception {
    ExecutionResult r =
        sh(
            LimitsRequest.DEFAULTS,
            "for f in /workspace/x /workspace/in/new /usr/x /etc/x /x /bin/busybox /etc/passwd; do"
                + " (echo pwned > $f) 2>/dev/null && echo WROTE $f; done;"
                + " stat -c %a /bin/busybox-suid; /bin/busybox-suid id -u; echo done");
    assertThat(ExecHarness.stdout(r)).isEqualTo("755\n1000\ndone\n");
    Path rootfs =
        ImageStore.open(h.state).ref("busybox-1", ImageStore.open(h.state).find(digest)).rootfs();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(rootfs.resolve("bin/busybox-suid"))))
        .isEqualTo("rwxr-xr-x");
  }

  @Test
  void hostSecretsAreNotVisibleFromTheImage() throws Exception {
    String shadowRoot = Files.readAllLines(Path.of("/etc/shadow")).get(0);
    ExecutionResult r =
        sh(
            LimitsRequest.DEFAULTS,
            "cat /etc/shadow; env; ls /root /home 2>&1; cat /proc/1/environ | tr '\\0' '\\n'");
    String all = ExecHarness.stdout(r) + ExecHarness.stderr(r);
    assertThat(all).doesNotContain(shadowRoot).contains("/etc/shadow");
    String secret = System.getenv("QR_TEST_SECRET");
    if (secret != null) {
      assertThat(all).doesNotContain(secret);
    }
  }

  @Test
  void forkBombAndWallTimeAndTmpFillAreStoppedOnTheImage() throws Exception {
    ExecutionResult bomb = sh(lim(20_000L, 64L, null, null), "f() { f | f & }; f; sleep 30");
    assertThat(bomb.limitExceeded()).isEqualTo(LimitKind.PIDS);
    ExecutionResult spin = sh(lim(1_000L, null, null, null), "while :; do :; done");
    assertThat(spin.status()).isEqualTo(RunStatus.TIMED_OUT);
    ExecutionResult tmp =
        sh(lim(20_000L, null, 4L << 20, null), "dd if=/dev/zero of=/tmp/big bs=1M count=64");
    assertThat(tmp.limitExceeded()).isEqualTo(LimitKind.TMP_DIR);
  }

  @Test
  void noNetworkEgressFromTheImage() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(200);
      for (NetworkMode mode : new NetworkMode[] {NetworkMode.NONE, NetworkMode.LOOPBACK}) {
        ExecutionResult r =
            sh(
                lim(20_000L, null, null, mode),
                "echo x | nc -w 2 127.0.0.1 "
                    + server.getLocalPort()
                    + " && echo CONNECTED; echo end");
        assertThat(ExecHarness.stdout(r))
            .as(mode.label())
            .doesNotContain("CONNECTED")
            .contains("end");
      }
      assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
    }
  }
}
