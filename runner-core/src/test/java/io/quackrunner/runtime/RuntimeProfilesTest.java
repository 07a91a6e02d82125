package io.quackrunner.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    // The sandbox makes /etc (a view of listed host entries) and its passwd and group itself.
    for (String generated : new String[] {"/etc", "/etc/passwd", "/etc/group"}) {
      Files.writeString(
          f,
          "[{\"id\":\"x\",\"type\":\"t\",\"version_command\":[\"/bin/true\"],\"version_pattern\":\"(.*)\",\"binds\":[\""
              + generated
              + "\"]}]");
      assertThatThrownBy(() -> RuntimeProfiles.load(f))
          .as(generated)
          .hasMessageContaining("binds " + generated + " (");
    }
    Files.writeString(
        f,
        "[{\"id\":\"x\",\"type\":\"t\",\"version_command\":[\"/bin/true\"],\"version_pattern\":\"(.*)\",\"binds\":[\"/etc/fonts\"]}]");
    assertThat(RuntimeProfiles.load(f)).isNotNull();
    Files.writeString(f, "[{\"id\":\"x\",\"type\":\"t\",\"surprise\":1}]");
    assertThatThrownBy(() -> RuntimeProfiles.load(f))
        .hasMessageContaining(f.toString())
        .satisfies(
            e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION));
  }

  /**
   * The profiles are read as a JSON tree and mapped by hand (issue 19: data binding cost 35 ms of
   * each {@code runner exec}); every shape data binding refused is still refused, naming the file,
   * and a value of the wrong JSON type is refused rather than coerced.
   */
  @Test
  void everyMalformedShapeIsRefusedNamingFileAndField(@TempDir Path dir) throws Exception {
    String ok =
        "\"id\":\"x\",\"type\":\"t\",\"version_command\":[\"/bin/true\"],\"version_pattern\":\"(.*)\"";
    Path f = dir.resolve("r.json");
    String[][] cases = {
      {"{}", "not a list of profiles"},
      {"", "not a list of profiles"},
      {"[null]", "a profile is null"},
      {"[1]", "a profile is a JSON object"},
      {"[{" + ok + ",\"surprise\":1}]", "unknown field 'surprise'"},
      {
        "[{\"id\":7,\"type\":\"t\",\"version_command\":[\"/bin/true\"],\"version_pattern\":\"(.*)\"}]",
        "id is not a string"
      },
      {"[{" + ok + ",\"binds\":\"/opt\"}]", "binds is not a list of strings"},
      {"[{" + ok + ",\"binds\":[1]}]", "binds has an item that is not a string"},
      {"[{" + ok + ",\"env\":[]}]", "env is not an object"},
      {"[{" + ok + ",\"env\":{\"A\":1}}]", "env A is not a string"},
      {
        "[{\"id\":\"x\",\"type\":\"t\",\"version_command\":[],\"version_pattern\":\"(.*)\"}]",
        "needs id, type, version_command, version_pattern"
      },
      {"[{" + ok + "},{" + ok + "}]", "duplicate profile x"},
      {"[{" + ok, "r.json: "},
    };
    for (String[] c : cases) {
      Files.writeString(f, c[0]);
      assertThatThrownBy(() -> RuntimeProfiles.load(f))
          .as(c[0])
          .hasMessageContaining(f.toString())
          .hasMessageContaining(c[1])
          .satisfies(
              e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION));
    }
  }

  @Test
  void absentAndNullOptionalFieldsTakeTheirDefaults(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("r.json");
    Files.writeString(
        f,
        "[{\"id\":\"x\",\"type\":\"t\",\"version_command\":[\"/bin/true\"],\"version_pattern\":\"(.*)\","
            + "\"version_prefix\":null,\"path\":null,\"binds\":null,\"env\":null},"
            + "{\"id\":\"y\",\"type\":\"t\",\"version_command\":[\"/bin/echo\",\"1\"],\"version_pattern\":\"(.*)\","
            + "\"version_prefix\":\"1\",\"path\":\"/p\",\"binds\":[\"/opt/y\"],\"env\":{\"A\":\"b\"}}]");
    RuntimeProfiles p = RuntimeProfiles.load(f);
    assertThat(p.profile("x"))
        .isEqualTo(
            new RuntimeProfile("x", "t", List.of("/bin/true"), "(.*)", null, null, null, null));
    assertThat(p.profile("x").path()).isEqualTo("/usr/bin:/bin");
    assertThat(p.profile("y"))
        .isEqualTo(
            new RuntimeProfile(
                "y",
                "t",
                List.of("/bin/echo", "1"),
                "(.*)",
                "1",
                "/p",
                List.of("/opt/y"),
                Map.of("A", "b")));
  }
}
