package io.quackrunner.cli;

import io.quackrunner.images.ImageStore;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.tools.RunnerGate;
import io.quackrunner.tools.ToolRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner check [--registry FILE]}: the alignment gate (MPLP GATE-V2-RUNNER-SMOKE-01). Every
 * runner the tool registry references must have a directory {@code runners/<runner-id>/} and an
 * imported image, and pass its smoke test; prints one {@code unaligned} line per gap and one smoke
 * line per referenced runner, and exits 0 when all hold, 1 otherwise (docs/EXIT-CODES.md).
 */
@Command(
    name = "check",
    description =
        "Gate: every runner the registry references has a runner directory, an image, and passes"
            + " its smoke test")
public final class CheckCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Option(
      names = "--registry",
      paramLabel = "FILE",
      description = "tool registry (default: the bundled registry/tools.yaml)")
  Path registry;

  @Override
  public Integer call() {
    Path file =
        registry != null
            ? registry
            : Path.of(System.getProperty("quackrunner.home", ".")).resolve("registry/tools.yaml");
    ToolRegistry r = ToolRegistry.load(file, RuntimeProfiles.builtIn().ids());
    Path runners = ImageCommand.runnersDir();
    ImageStore store = ImageCommand.store();
    List<String> gaps = RunnerGate.unaligned(r, store, runners);
    for (String g : gaps) {
      runner.context().out().println("unaligned\t" + g);
    }
    runner.context().out().flush();
    boolean smoked = SmokeCommand.smoke(runner.context(), RunnerGate.referenced(r), runners);
    return gaps.isEmpty() && smoked ? 0 : 1;
  }
}
