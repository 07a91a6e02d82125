package io.quackrunner.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes {@link RuntimeProfiles#load} (docs/FUZZING.md): a runtimes.json of any bytes is a
 * CONFIGURATION error naming the file, or profiles whose binds keep off the paths the sandbox owns.
 * Profiles are only loaded, never resolved: resolving runs the version command on the host.
 */
class RuntimeProfilesFuzzTest {
  private static Path dir;

  @BeforeAll
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("qr-runtimes-fuzz-");
  }

  @AfterAll
  static void removeDir() throws IOException {
    Files.deleteIfExists(dir.resolve("runtimes.json"));
    Files.delete(dir);
  }

  @FuzzTest
  void load(byte[] content) throws IOException {
    Path file = dir.resolve("runtimes.json");
    Files.write(file, content);
    RuntimeProfiles profiles;
    try {
      profiles = RuntimeProfiles.load(file);
    } catch (RunnerException e) {
      assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
      assertThat(e.getMessage()).contains(file.toString());
      return;
    }
    assertThat(profiles.ids()).doesNotHaveDuplicates().doesNotContainNull();
  }
}
