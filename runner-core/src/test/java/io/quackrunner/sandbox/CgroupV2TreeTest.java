package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the runner finds its delegated root from {@code /proc/self/cgroup}. */
class CgroupV2TreeTest {
  @TempDir Path dir;

  private Path self(String text) throws Exception {
    return Files.writeString(dir.resolve("cgroup"), text);
  }

  @Test
  void theRootCgroupOwnsTheWholeMount() throws Exception {
    Path mount = Path.of("/sys/fs/cgroup");
    assertThat(CgroupV2Tree.delegatedRoot(mount, self("0::/\n"))).isEqualTo(mount);
  }

  @Test
  void aUnitsCgroupIsItsDelegatedRootAndTheRunnersLeafPointsBackToIt() throws Exception {
    Path mount = Path.of("/sys/fs/cgroup");
    Path unit = mount.resolve("system.slice/quackrunner.service");
    assertThat(CgroupV2Tree.delegatedRoot(mount, self("0::/system.slice/quackrunner.service\n")))
        .isEqualTo(unit);
    assertThat(
            CgroupV2Tree.delegatedRoot(
                mount, self("0::/system.slice/quackrunner.service/qr-runner\n")))
        .isEqualTo(unit);
  }

  @Test
  void theV2LineIsFoundAmongV1Lines() throws Exception {
    assertThat(CgroupV2Tree.ownPath(self("4:memory:/a\n1:name=systemd:/\n0::/b/c\n")))
        .isEqualTo("/b/c");
  }

  @Test
  void noUsableV2LineIsRefused() throws Exception {
    assertThatThrownBy(() -> CgroupV2Tree.ownPath(self("4:memory:/a\n")))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("0::/path");
    assertThatThrownBy(() -> CgroupV2Tree.ownPath(self("0::/../x\n")))
        .isInstanceOf(RunnerException.class);
  }
}
