package io.quackrunner.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.RunnerException;
import io.quackrunner.images.ImageStore;
import io.quackrunner.images.OciBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry may pin a runner to an image digest; the gate names every pin not imported. */
class RunnerGateTest {
  @TempDir Path dir;

  private ToolRegistry registry(String runtime) throws Exception {
    Path f = dir.resolve("tools.yaml");
    Files.writeString(
        f,
        """
        registry: 1
        tools:
          - name: echo
            versions:
              - version: "1.0"
                runtime: %s
                entrypoint: [echo]
                verbs:
                  say: {}
        """
            .formatted(runtime));
    return ToolRegistry.load(f, List.of("system", "busybox-1"));
  }

  @Test
  void aPinnedRunnerMustBeImported() throws Exception {
    OciBuilder.Layout l =
        OciBuilder.layout(dir.resolve("layout"), OciBuilder.tar().file("a", "1").bytes());
    ImageStore store = ImageStore.open(dir.resolve("state"));
    ToolRegistry pinned = registry("busybox-1@" + l.manifest());
    assertThat(RunnerGate.missing(pinned, store))
        .containsExactly(
            "tool echo version 1.0: runner busybox-1@"
                + l.manifest()
                + " is not imported (runner image import FILE --name busybox-1)");
    store.importFrom(l.dir(), "busybox-1", null);
    assertThat(RunnerGate.missing(pinned, store)).isEmpty();
    assertThat(RunnerGate.missing(registry("system"), store)).isEmpty();
  }

  @Test
  void aPinMustNameAKnownRuntimeAndAFullSha256() {
    assertThatThrownBy(() -> registry("nope@sha256:" + "a".repeat(64)))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("unknown runtime 'nope@");
    assertThatThrownBy(() -> registry("system@sha256:abc"))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("pinned to an image as NAME@sha256:<64 hex>");
    assertThatThrownBy(() -> registry("system@md5:" + "a".repeat(32)))
        .isInstanceOf(RunnerException.class);
  }

  @Test
  void serveNeedsAnImageOrTheHostRuntimeAndCheckNeedsADirectoryAndAnImage() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("state"));
    io.quackrunner.runtime.RuntimeProfiles profiles =
        io.quackrunner.runtime.RuntimeProfiles.builtIn();
    Path f = dir.resolve("two.yaml");
    Files.writeString(
        f,
        """
        registry: 1
        tools:
          - name: sys
            versions:
              - version: "1.0"
                runtime: system
                entrypoint: [echo]
                verbs: {say: {}}
          - name: net
            versions:
              - version: "8.0"
                runtime: dotnet-8
                entrypoint: [dotnet]
                verbs: {run: {}}
        """);
    ToolRegistry two = ToolRegistry.load(f, profiles.ids());
    assertThat(RunnerGate.missing(two, store, profiles))
        .containsExactly(
            "tool net version 8.0: runner dotnet-8 is not on this host: no image named dotnet-8"
                + " (runner image build dotnet-8) and no /usr/bin/dotnet");
    assertThat(RunnerGate.referenced(two)).containsExactly("dotnet-8", "system");

    Path runners = Files.createDirectories(dir.resolve("runners/system"));
    Files.writeString(runners.resolve("smoke.sh"), "true\n");
    assertThat(RunnerGate.unaligned(two, store, dir.resolve("runners")))
        .containsExactly(
            "tool sys version 1.0: runner system has no imported image named system"
                + " (runner image build system)",
            "tool net version 8.0: runner dotnet-8 has no runner directory "
                + dir.resolve("runners/dotnet-8"),
            "tool net version 8.0: runner dotnet-8 has no imported image named dotnet-8"
                + " (runner image build dotnet-8)");
    OciBuilder.Layout l =
        OciBuilder.layout(dir.resolve("layout"), OciBuilder.tar().file("a", "1").bytes());
    store.importFrom(l.dir(), "system", null);
    assertThat(RunnerGate.unaligned(two, store, dir.resolve("runners"))).hasSize(2);
  }
}
