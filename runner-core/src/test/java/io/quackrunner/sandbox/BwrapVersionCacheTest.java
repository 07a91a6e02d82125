package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory's bwrap version cache: a hit asks no process, and every change to the binary
 * (contents, a replaced file of the same size and time, a chmod, another path) asks it again. The
 * "binary" is a real executable script that prints a bubblewrap-style version, asked through {@link
 * HostProbe#bwrapVersion} as the sandbox asks the real one.
 */
class BwrapVersionCacheTest {
  @TempDir Path tmp;
  private Path bin;
  private Path dir;
  private final AtomicInteger probes = new AtomicInteger();
  private final Function<Path, String> probe =
      p -> {
        probes.incrementAndGet();
        return HostProbe.bwrapVersion(p);
      };

  @BeforeEach
  void setUp() throws IOException {
    bin = tmp.resolve("bwrap");
    dir = tmp.resolve("state").resolve("host-facts");
    script(bin, "0.8.0");
  }

  @Test
  void aHitAsksNoProcess() {
    assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("0.8.0");
    assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("0.8.0");
    assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("0.8.0");
    assertThat(probes).hasValue(1);
    assertThat(dir.resolve(BwrapVersionCache.FILE)).content().endsWith("\t0.8.0\n");
  }

  @Test
  void newContentsAreProbedAgain() throws IOException {
    BwrapVersionCache.version(bin, dir, probe);
    script(bin, "0.11.1");
    assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("0.11.1");
    assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("0.11.1");
    assertThat(probes).hasValue(2);
  }

  @Test
  void aReplacedFileOfTheSameSizeAndTimeIsProbedAgain() throws IOException {
    BwrapVersionCache.version(bin, dir, probe);
    FileTime mtime = Files.getLastModifiedTime(bin);
    Path other = tmp.resolve("bwrap.new");
    script(other, "0.9.0"); // same length as "0.8.0": only the inode and ctime differ
    Files.setLastModifiedTime(other, mtime);
    assertThat(Files.size(other)).isEqualTo(Files.size(bin));
    Files.move(other, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("0.9.0");
    assertThat(probes).hasValue(2);
  }

  @Test
  void aChmodIsProbedAgain() throws IOException {
    BwrapVersionCache.version(bin, dir, probe);
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-x---"));
    BwrapVersionCache.version(bin, dir, probe);
    assertThat(probes).hasValue(2);
  }

  @Test
  void anotherPathIsProbedAgainThroughLinks() throws IOException {
    BwrapVersionCache.version(bin, dir, probe);
    Path second = tmp.resolve("bwrap2");
    script(second, "0.10.0");
    assertThat(BwrapVersionCache.version(second, dir, probe)).isEqualTo("0.10.0");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), second);
    assertThat(BwrapVersionCache.version(link, dir, probe)).isEqualTo("0.10.0");
    assertThat(probes).as("the link resolves to the binary just probed").hasValue(2);
  }

  @Test
  void aDamagedCacheFileIsAMissAndIsRewritten() throws IOException {
    BwrapVersionCache.version(bin, dir, probe);
    Path file = dir.resolve(BwrapVersionCache.FILE);
    for (String damaged : new String[] {"", "garbage", BwrapVersionCache.key(bin) + "\t\n"}) {
      Files.writeString(file, damaged);
      assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("0.8.0");
    }
    assertThat(probes).hasValue(4);
    assertThat(file).content().isEqualTo(BwrapVersionCache.key(bin) + "\t0.8.0\n");
  }

  @Test
  void anUnusableBinaryIsNotKept() throws IOException {
    Files.writeString(bin, "#!/bin/sh\nexit 3\n");
    assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("unusable");
    assertThat(BwrapVersionCache.version(bin, dir, probe)).isEqualTo("unusable");
    assertThat(probes).hasValue(2);
    assertThat(dir.resolve(BwrapVersionCache.FILE)).doesNotExist();
  }

  @Test
  void theRealBubblewrapGivesWhatItPrints() {
    Path real = HostProbe.BWRAP;
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(real), "no bubblewrap at " + real);
    assertThat(BwrapVersionCache.version(real, dir, probe))
        .isEqualTo(HostProbe.bwrapVersion(real))
        .matches("\\d+\\.\\d+.*");
    assertThat(BwrapVersionCache.version(real, dir, probe)).isEqualTo(HostProbe.bwrapVersion(real));
    assertThat(probes).hasValue(1);
  }

  private static void script(Path p, String version) throws IOException {
    Files.writeString(p, "#!/bin/sh\necho 'bubblewrap " + version + "'\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
