package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.service.RunRequest;
import io.quackrunner.store.ContentStore;
import io.quackrunner.tools.ResolvedTool;
import io.quackrunner.tools.ToolRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes a RunRequest body from the wire through strict JSON parsing, request validation, tool
 * resolution and argv building (docs/FUZZING.md): bad input is always a 4xx {@link
 * RunnerException}, never anything else, and an accepted request yields an argv free of control
 * characters.
 */
class RunRequestFuzzTest {
  private static ContentStore cas;
  private static ToolRegistry registry;

  @BeforeAll
  static void setUp() throws IOException {
    cas = new ContentStore(Files.createTempDirectory("qr-runrequest-fuzz-"));
    registry =
        ToolRegistry.load(
            Path.of("../registry/tools.yaml").toAbsolutePath(), RuntimeProfiles.builtIn().ids());
  }

  @FuzzTest
  void parseAndPlan(byte[] body) {
    try {
      RunRequest r = RunRequestJson.parse(Http.parse(body), cas, 4096, null);
      ResolvedTool t = registry.resolve(r.tool(), r.version(), r.verb());
      List<String> argv = registry.argv(t, Http.JSON.valueToTree(r.params()));
      for (String a : argv) {
        assertThat(a.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as(a).isTrue();
      }
    } catch (RunnerException e) {
      assertThat(e.kind().httpStatus()).as(e.getMessage()).isBetween(400, 499);
    }
  }
}
