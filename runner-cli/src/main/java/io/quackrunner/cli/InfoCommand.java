package io.quackrunner.cli;

import io.quackrunner.sandbox.HostProbe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code runner info}: prints the runtime context ({@code runtime.env}), the declared tools ({@code
 * tools.env}), the plugins and the host facts of {@link HostProbe#facts()}.
 *
 * <p>An absent {@code runtime.env} or {@code tools.env} is reported as such; a present but
 * malformed one fails with exit code 125.
 */
@Command(name = "info", description = "Display runtime and plugin information")
public final class InfoCommand implements Callable<Integer> {
  @ParentCommand private RunnerCommand runner;

  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    CliContext context = runner.context();
    Path etc = context.etcDir();
    Optional<EnvFile> runtime = EnvFile.readIfPresent(etc.resolve("runtime.env"));
    Optional<EnvFile> tools = EnvFile.readIfPresent(etc.resolve("tools.env"));
    Map<String, String> host = HostProbe.facts();

    PrintWriter out = context.out();
    out.println("Runner: " + RunnerVersion.get());
    section(out, "Runtime", etc.resolve("runtime.env"), runtime);
    section(out, "Tools", etc.resolve("tools.env"), tools);
    PluginListing.print(out, context.plugins(), spec.root().subcommands().keySet());
    out.println("Host:");
    host.forEach((key, value) -> out.println("  " + key + "=" + value));
    return 0;
  }

  private static void section(PrintWriter out, String title, Path file, Optional<EnvFile> env) {
    if (env.isEmpty()) {
      out.println(title + " (" + file + "): not present");
      return;
    }
    if (env.get().entries().isEmpty()) {
      out.println(title + " (" + file + "): no entries");
      return;
    }
    out.println(title + " (" + file + "):");
    env.get().entries().forEach((key, value) -> out.println("  " + key + "=" + value));
  }
}
