package io.quackrunner.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.runtime.RuntimeProfiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the tool-registry parser (docs/FUZZING.md): a registry file of any bytes is either a
 * CONFIGURATION error that names the file, or a registry whose every tool, version and verb
 * resolves exactly; nothing else is thrown.
 */
class RegistryFuzzTest {
  private static Path dir;

  @BeforeAll
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("qr-registry-fuzz-");
  }

  @AfterAll
  static void removeDir() throws IOException {
    Files.deleteIfExists(dir.resolve("tools.yaml"));
    Files.delete(dir);
  }

  @FuzzTest
  void load(byte[] content) throws IOException {
    Path file = dir.resolve("tools.yaml");
    Files.write(file, content);
    ToolRegistry registry;
    try {
      registry = ToolRegistry.load(file, RuntimeProfiles.builtIn().ids());
    } catch (RunnerException e) {
      assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
      assertThat(e.getMessage()).contains(file.toString());
      return;
    }
    for (Tool t : registry.tools()) {
      for (ToolVersion v : t.versions()) {
        for (String verb : v.verbs().keySet()) {
          assertThat(registry.resolve(t.name(), v.version(), verb).verb().name()).isEqualTo(verb);
        }
      }
    }
  }
}
