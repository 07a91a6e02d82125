package io.quackrunner.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crash recovery's sweep ({@link Workspace#discard}) removes every workspace a killed runner can
 * leave, whatever step of {@link Workspace#create} it was killed at: the directory alone, some of
 * its mount-point directories, some of them mounted. (KillLoopIT once found a workspace holding
 * only {@code seed/}: the sweep tried to unmount a missing {@code out/}, failed, and the directory
 * stayed through every later restart.)
 */
class WorkspaceSweepIT {
  @TempDir Path root;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
  void theSweepRemovesAWorkspaceLeftAtAnyStepOfItsCreation(int step) throws Exception {
    Path dir = root.resolve("run-" + step);
    Files.createDirectory(dir);
    List<String> made = List.of("seed", "out", "tmp");
    for (int i = 0; i < Math.min(step, 3); i++) {
      Files.createDirectory(dir.resolve(made.get(i)));
    }
    if (step >= 4) {
      Posix.mountTmpfs(dir.resolve("seed"), 1 << 20, 64, "0755", 0, 0);
      Files.writeString(dir.resolve("seed/passwd"), "root:x:0:0::/:/bin/false\n");
    }
    if (step >= 5) {
      Posix.mountTmpfs(dir.resolve("out"), 1 << 20, 0, 0);
    }
    if (step >= 6) {
      Posix.mountTmpfs(dir.resolve("tmp"), 1 << 20, 0, 0);
    }

    assertThat(Workspace.discard(root, "run-" + step)).isTrue();

    assertThat(dir).doesNotExist();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(dir.toString());
    assertThat(Workspace.discard(root, "run-" + step)).isFalse();
  }
}
