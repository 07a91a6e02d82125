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
   * A core command: its name, which is its {@code @Command} name ({@code RunnerCommandTest} checks
   * that they agree), and its class.
   *
   * @param name the command name, e.g. {@code exec}
   * @param type the picocli command class
   */
  record Core(String name, Class<?> type) {}

  /**
   * The core commands, in the order {@code runner help} shows them. They are added to the tree by
   * {@link Main#commandLine}, not through {@code @Command(subcommands)}, so a call of one command
   * need not have picocli reflect over all of them, and the names are spelled here so that finding
   * the command of a call reads no annotation (issue 19; docs/BENCHMARKS.md).
   */
  static final List<Core> CORE =
      List.of(
          new Core("help", HelpCommand.class),
          new Core("about", AboutCommand.class),
          new Core("info", InfoCommand.class),
          new Core("exec", ExecCommand.class),
          new Core("shell", ShellCommand.class),
          new Core("version", VersionCommand.class),
          new Core("keys", KeysCommand.class),
          new Core("secrets", SecretsCommand.class),
          new Core("image", ImageCommand.class),
          new Core("smoke", SmokeCommand.class),
          new Core("check", CheckCommand.class),
          new Core("trigger", TriggerCommand.class),
          new Core("ledger", LedgerCommand.class),
          new Core("verify", VerifyCommand.class),
          new Core("serve", ServeCommand.class),
          new Core("mcp", McpCommand.class),
          new Core("run", RunCommand.class),
          new Core("tokens", TokensCommand.class));

  private final CliContext context;

  RunnerCommand(CliContext context) {
    this.context = context;
  }

  /** Returns what the commands of this invocation share. */
  CliContext context() {
    return context;
  }
}
