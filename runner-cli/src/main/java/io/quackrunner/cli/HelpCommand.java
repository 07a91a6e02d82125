package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code runner help [COMMAND]}: lists the core commands and the plugins, or shows one command's
 * usage.
 */
@Command(name = "help", description = "Display available commands", usageHelpAutoWidth = false)
public final class HelpCommand implements Callable<Integer> {
  @ParentCommand private RunnerCommand runner;

  @Spec private CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "COMMAND",
      description = "A core command or plugin to describe.")
  private String command;

  @Override
  public Integer call() {
    CliContext context = runner.context();
    PrintWriter out = context.out();
    Map<String, CommandLine> core = spec.root().subcommands();
    if (command == null) {
      overview(out, core, context.plugins());
      return 0;
    }
    CommandLine target = core.get(command);
    if (target != null) {
      target.usage(out, Help.Ansi.OFF);
      return 0;
    }
    Optional<Plugin> plugin = context.plugins().find(command);
    if (plugin.isPresent()) {
      out.println("'" + command + "' is a plugin: " + plugin.get().path());
      out.println("Run it as: runner " + command + " [ARGUMENTS...]; its arguments are its own.");
      return 0;
    }
    throw new RunnerException(
        ErrorKind.USAGE, "unknown command '" + command + "' (see 'runner help')");
  }

  private static void overview(
      PrintWriter out, Map<String, CommandLine> core, PluginDirectory plugins) {
    out.println("Usage: runner COMMAND [ARGUMENTS...]");
    out.println();
    out.println("Commands must be named exactly; anything else fails with exit code 125.");
    out.println();
    out.println("Core commands:");
    int width = core.keySet().stream().mapToInt(String::length).max().orElse(0);
    core.forEach(
        (name, sub) -> {
          String[] description = sub.getCommandSpec().usageMessage().description();
          String text = description.length > 0 ? description[0] : "";
          out.println(String.format("  %-" + width + "s  %s", name, text).stripTrailing());
        });
    out.println();
    PluginListing.print(out, plugins, core.keySet());
    out.println();
    out.println("Run 'runner help COMMAND' for one command's usage.");
  }
}
