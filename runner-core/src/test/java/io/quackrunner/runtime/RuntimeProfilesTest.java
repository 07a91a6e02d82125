package io.quackrunner.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeProfilesTest {
  @Test
  void builtInProfilesResolveAgainstTheHost() {
    RuntimeProfiles p = RuntimeProfiles.builtIn();
    assertThat(p.ids()).contains("system", "python-3.11", "node-20", "gcc-12", "imagemagick-6");
    ResolvedRuntime py = p.resolve("python-3.11");
    assertThat(py.version()).startsWith("3.11.");
    assertThat(py.profile().type()).isEqualTo("python");
  }

  @Test
  void unknownOrMissingRuntimesAreErrors() {
    RuntimeProfiles p = RuntimeProfiles.builtIn();
    assertThatThrownBy(() -> p.resolve("cobol-85"))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("unknown runtime 'cobol-85'")
        .satisfies(e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.NOT_FOUND));
    assertThatThrownBy(() -> p.resolve("dotnet-8")).hasMessageContaining("not installed");
  }

  @Test
  void anotherVersionIsRefusedNotSubstituted(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("r.json");
    Files.writeString(
        f,
        "[{\"id\":\"python-3.9\",\"type\":\"python\",\"version_command\":[\"/usr/bin/python3\",\"--version\"],"
            + "\"version_pattern\":\"Python (\\\\S+)\",\"version_prefix\":\"3.9.\"}]");
    assertThatThrownBy(() -> RuntimeProfiles.load(f).resolve("python-3.9"))
        .hasMessageContaining("wants version 3.9.*")
        .hasMessageContaining("is 3.11");
  }

  @Test
  void badFilesAreRefused(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("r.json");
    Files.writeString(
        f,
        "[{\"id\":\"x\",\"type\":\"t\",\"version_command\":[\"/bin/true\"],\"version_pattern\":\"(.*)\",\"binds\":[\"/tmp/x\"]}]");
    assertThatThrownBy(() -> RuntimeProfiles.load(f)).hasMessageContaining("binds /tmp/x");
    Files.writeString(f, "[{\"id\":\"x\",\"type\":\"t\",\"surprise\":1}]");
    assertThatThrownBy(() -> RuntimeProfiles.load(f))
        .hasMessageContaining(f.toString())
        .satisfies(
            e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION));
  }
}
