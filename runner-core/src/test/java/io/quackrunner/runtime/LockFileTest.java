package io.quackrunner.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock kind of each runtime type, and finding and hashing a tool's lock file. */
class LockFileTest {
  /** SHA-256 of the three bytes {@code abc} (FIPS 180-2, appendix B.1). */
  private static final String ABC =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void eachRuntimeTypeHasItsPackageManagersLockKindOrNone() {
    assertThat(LockFile.kindOf("node")).hasValue("package-lock.json");
    assertThat(LockFile.kindOf("python")).hasValue("poetry.lock");
    assertThat(LockFile.kindOf("dotnet")).hasValue("packages.lock.json");
    for (String none : new String[] {"debian", "busybox", "gcc", "imagemagick", "Node", null}) {
      assertThat(LockFile.kindOf(none)).as(String.valueOf(none)).isEmpty();
    }
  }

  @Test
  void theLockFileAtTheToolsRootIsHashed(@TempDir Path in) throws Exception {
    Files.createDirectories(in.resolve("_tool"));
    Files.writeString(in.resolve("_tool/poetry.lock"), "abc", StandardCharsets.US_ASCII);
    assertThat(LockFile.find("python", in)).isEqualTo(new LockFile("poetry.lock", ABC));
    // Another runtime's lock kind is not this one's: a node tool with only poetry.lock has none.
    assertThat(LockFile.find("node", in)).isNull();
    assertThat(LockFile.find("gcc", in)).isNull();
  }

  @Test
  void noToolFilesNoInputDirOrANestedFileMeanNone(@TempDir Path in) throws Exception {
    assertThat(LockFile.find("node", null)).isNull();
    assertThat(LockFile.find("node", in)).isNull();
    // Only the root of the tool's files counts, and not a file outside _tool.
    Files.createDirectories(in.resolve("_tool/sub"));
    Files.writeString(in.resolve("_tool/sub/package-lock.json"), "{}");
    Files.writeString(in.resolve("package-lock.json"), "{}");
    assertThat(LockFile.find("node", in)).isNull();
  }

  @Test
  void linksAndDirectoriesOfTheLockFilesNameDoNotCount(@TempDir Path tmp) throws Exception {
    Path target = Files.writeString(tmp.resolve("elsewhere.json"), "abc");
    Path in = Files.createDirectories(tmp.resolve("in/_tool")).getParent();
    Files.createSymbolicLink(in.resolve("_tool/package-lock.json"), target);
    assertThat(LockFile.find("node", in)).isNull();
    Files.createDirectories(in.resolve("_tool/packages.lock.json"));
    assertThat(LockFile.find("dotnet", in)).isNull();
    // A linked _tool directory is not followed either.
    Path linked = Files.createDirectories(tmp.resolve("linked"));
    Files.createDirectories(tmp.resolve("real"));
    Files.writeString(tmp.resolve("real/poetry.lock"), "abc");
    Files.createSymbolicLink(linked.resolve("_tool"), tmp.resolve("real"));
    assertThat(LockFile.find("python", linked)).isNull();
  }

  @Test
  void anUnknownNameOrABadHashIsRefused() {
    assertThatThrownBy(() -> new LockFile("yarn.lock", ABC)).hasMessageContaining("name");
    assertThatThrownBy(() -> new LockFile(null, ABC)).hasMessageContaining("name");
    assertThatThrownBy(() -> new LockFile("poetry.lock", ABC.toUpperCase()))
        .hasMessageContaining("sha256");
    assertThatThrownBy(() -> new LockFile("poetry.lock", "sha256:" + ABC))
        .hasMessageContaining("sha256");
  }
}
