package io.quackrunner.cli;

import java.util.List;
import picocli.CommandLine.Command;

/**
 * The root {@code runner} command; its subcommands are the core commands, listed once here.
 *
 * <p>Adding a core command is one entry in {@link #CORE} (in the order {@code runner help} shows
 * them). Core commands shadow plugins of the same name, so a new core command also hides such a
 * plugin, as the contract requires. A subcommand reaches the shared {@link CliContext} with
 * {@code @ParentCommand RunnerCommand runner; ... runner.context()}.
 */
@Command(name = "runner")
public final class RunnerCommand {
  /**
   * The core commands, in the order {@code runner help} shows them. They are added to the tree by
   * {@link Main#commandLine}, not through {@code @Command(subcommands)}, so a call of one command
   * need not have picocli reflect over all of them (issue 19; docs/BENCHMARKS.md).
   */
  static final List<Class<?>> CORE =
      List.of(
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
          TokensCommand.class);

  private final CliContext context;

  RunnerCommand(CliContext context) {
    this.context = context;
  }

  /** Returns what the commands of this invocation share. */
  CliContext context() {
    return context;
  }
}
