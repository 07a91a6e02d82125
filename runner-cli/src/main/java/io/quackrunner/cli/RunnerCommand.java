package io.quackrunner.cli;

import picocli.CommandLine.Command;

/**
 * The root {@code runner} command; its subcommands are the core commands, listed once here.
 *
 * <p>Adding a core command is one entry in {@code subcommands} (in the order {@code runner help}
 * shows them). Core commands shadow plugins of the same name, so a new core command also hides such
 * a plugin, as the contract requires. A subcommand reaches the shared {@link CliContext} with
 * {@code @ParentCommand RunnerCommand runner; ... runner.context()}.
 */
@Command(
    name = "runner",
    subcommands = {
      HelpCommand.class,
      AboutCommand.class,
      InfoCommand.class,
      ExecCommand.class,
      ShellCommand.class,
      VersionCommand.class,
      KeysCommand.class,
      SecretsCommand.class,
      ImageCommand.class,
      SmokeCommand.class,
      CheckCommand.class,
      TriggerCommand.class,
      LedgerCommand.class,
      VerifyCommand.class,
      ServeCommand.class,
      McpCommand.class,
      RunCommand.class,
      TokensCommand.class,
    })
public final class RunnerCommand {
  private final CliContext context;

  RunnerCommand(CliContext context) {
    this.context = context;
  }

  /** Returns what the commands of this invocation share. */
  CliContext context() {
    return context;
  }
}
