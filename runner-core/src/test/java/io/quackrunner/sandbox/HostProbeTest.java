package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HostProbe#favorDynmods}: read from mountinfo as the kernel writes it. */
class HostProbeTest {
  @TempDir Path dir;

  private static final String SYSTEMD_V2 =
      "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2"
          + " rw,nsdelegate,memory_recursiveprot";
  private static final String HYBRID_V1 =
      "31 25 0:27 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory";
  private static final String HYBRID_UNIFIED =
      "40 25 0:35 / /sys/fs/cgroup/unified rw,relatime shared:18 - cgroup2 cgroup2 rw";
  private static final String ROOT =
      "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw,errors=remount-ro";

  private String probe(String... lines) throws IOException {
    Path f = dir.resolve("mountinfo");
    Files.write(f, List.of(lines), StandardCharsets.UTF_8);
    return HostProbe.favorDynmods(f);
  }

  @Test
  void aCgroup2MountWithoutTheOptionIsOffAndWithItOn() throws IOException {
    assertThat(probe(ROOT, SYSTEMD_V2)).isEqualTo("off");
    assertThat(probe(ROOT, SYSTEMD_V2 + ",favordynmods")).isEqualTo("on");
  }

  @Test
  void onAnyCgroupRootIsOnBecauseTheFlagIsGlobal() throws IOException {
    assertThat(probe(ROOT, HYBRID_V1, HYBRID_UNIFIED)).isEqualTo("off");
    assertThat(probe(ROOT, HYBRID_V1, HYBRID_UNIFIED + ",favordynmods")).isEqualTo("on");
    assertThat(probe(ROOT, HYBRID_V1 + ",favordynmods", HYBRID_UNIFIED)).isEqualTo("on");
  }

  @Test
  void onlyTheSuperblockOptionsCountNotThePathOrTheMountFlags() throws IOException {
    assertThat(
            probe(
                "41 25 0:36 / /mnt/favordynmods rw,relatime shared:19 - tmpfs favordynmods"
                    + " rw,favordynmods",
                HYBRID_UNIFIED))
        .isEqualTo("off");
  }

  @Test
  void withoutCgroupMountsItIsNoneAndAMissingFileIsUnreadable() throws IOException {
    assertThat(probe(ROOT)).isEqualTo("none");
    assertThat(HostProbe.favorDynmods(dir.resolve("absent"))).startsWith("unreadable: ");
  }

  /** The running host, checked against util-linux's findmnt (Debian's own reader of mountinfo). */
  @Test
  void agreesWithFindmntOnThisHost() throws Exception {
    Process p =
        new ProcessBuilder("findmnt", "-n", "-t", "cgroup,cgroup2", "-o", "FS-OPTIONS")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    String expected;
    if (rc != 0 || out.isBlank()) {
      expected = "none";
    } else {
      expected =
          out.lines().anyMatch(l -> List.of(l.strip().split(",")).contains("favordynmods"))
              ? "on"
              : "off";
    }
    assertThat(HostProbe.favorDynmods(Path.of("/proc/self/mountinfo"))).isEqualTo(expected);
  }
}
