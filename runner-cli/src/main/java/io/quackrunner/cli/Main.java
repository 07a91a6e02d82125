package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code runner} entrypoint: dispatches to a core command, else to a plugin of exactly that
 * name, else fails (Runner Platform ARCHITECTURE v0.2.0, "Command dispatch architecture").
 *
 * <p>Nothing is guessed: no abbreviations, no suggestions, no {@code @file} expansion, no default
 * command. Every failure is one line {@code runner: <message>} on stderr and an exit code from
 * docs/EXIT-CODES.md.
 */
public final class Main {
  private Main() {}

  /** Runs the CLI with the process's arguments and environment, then exits with its code. */
  public static void main(String[] args) {
    PrintWriter out = utf8(FileDescriptor.out);
    PrintWriter err = utf8(FileDescriptor.err);
    int code = run(args, System.getenv(), out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one invocation and returns its exit code; never throws. */
  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    ErrorReporter errors = new ErrorReporter(err, "1".equals(env.get("RUNNER_DEBUG")));
    try {
      return dispatch(args, CliContext.fromEnvironment(env, out, errors));
    } catch (RuntimeException | Error e) {
      return errors.report(e);
    } finally {
      out.flush();
    }
  }

  private static int dispatch(String[] args, CliContext context) {
    if (args.length == 0) {
      throw usage("no command given; commands must be named explicitly (see 'runner help')");
    }
    String name = args[0];
    if (name.startsWith("-")) {
      throw usage("unknown option '" + name + "' (see 'runner help')");
    }
    Class<?> core = coreCommand(name);
    if (core == VersionCommand.class && args.length == 1) {
      // A bare `runner version` has nothing to parse: building picocli's model of even one
      // command costs more than the rest of the call (issue 19). Anything after the name goes
      // through picocli below, which reports it.
      return VersionCommand.print(context);
    }
    if (core != null) {
      return commandLine(context, WHOLE_TREE.contains(name) ? null : core).execute(args);
    }
    Optional<Plugin> plugin = context.plugins().find(name);
    if (plugin.isPresent()) {
      return PluginLauncher.run(plugin.get(), Arrays.asList(args).subList(1, args.length), context);
    }
    throw usage("unknown command '" + name + "' (see 'runner help')");
  }

  /** The core commands that read the whole tree ({@code spec.root().subcommands()}). */
  private static final java.util.Set<String> WHOLE_TREE = java.util.Set.of("help", "info");

  /**
   * The core command class named {@code name}, or {@code null}; reads no annotation (reading every
   * core command's builds an annotation proxy class for each).
   */
  private static Class<?> coreCommand(String name) {
    for (RunnerCommand.Core c : RunnerCommand.CORE) {
      if (c.name().equals(name)) {
        return c.type();
      }
    }
    return null;
  }

  /**
   * Builds the picocli tree with every core command and every implicit convenience switched off.
   */
  static CommandLine commandLine(CliContext context) {
    return commandLine(context, null);
  }

  /**
   * Builds the picocli tree with only the core command {@code only} (all of them when {@code
   * null}): picocli builds a command's model by reflection, which is most of a short call's
   * start-up when done for all sixteen.
   */
  private static CommandLine commandLine(CliContext context, Class<?> only) {
    CommandLine cl = new CommandLine(new RunnerCommand(context));
    for (RunnerCommand.Core c : RunnerCommand.CORE) {
      if (only == null || c.type() == only) {
        cl.addSubcommand(new CommandLine(c.type()));
      }
    }
    cl.setExpandAtFiles(false);
    cl.setAbbreviatedSubcommandsAllowed(false);
    cl.setAbbreviatedOptionsAllowed(false);
    cl.setSubcommandsCaseInsensitive(false);
    cl.setOptionsCaseInsensitive(false);
    cl.setUnmatchedArgumentsAllowed(false);
    cl.setUnmatchedOptionsAllowedAsOptionParameters(false);
    cl.setOverwrittenOptionsAllowed(false);
    // For exec, everything after the first positional argument is the command: `runner exec ls
    // -la`.
    // Other commands take options after positionals too: `runner verify RECEIPT --key K`.
    cl.setStopAtPositional(false);
    CommandLine exec = cl.getSubcommands().get("exec");
    if (exec != null) {
      exec.setStopAtPositional(true);
    }
    cl.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    cl.setOut(context.out());
    cl.setErr(new PrintWriter(PrintWriter.nullWriter()));
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          context.errors().line(describe(ex));
          return ErrorKind.USAGE.exitCode();
        });
    cl.setExecutionExceptionHandler((ex, command, parseResult) -> context.errors().report(ex));
    return cl;
  }

  private static String describe(ParameterException ex) {
    String command = ex.getCommandLine().getCommandName();
    String see = " (see 'runner help " + command + "')";
    if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
      String arg = unmatched.getUnmatched().getFirst();
      String what =
          arg.startsWith("-") && arg.length() > 1 ? "unknown option" : "unexpected argument";
      return what + " '" + arg + "' for '" + command + "'" + see;
    }
    return command + ": " + ex.getMessage() + see;
  }

  private static RunnerException usage(String message) {
    return new RunnerException(ErrorKind.USAGE, message);
  }

  private static PrintWriter utf8(FileDescriptor fd) {
    return new PrintWriter(
        new OutputStreamWriter(new FileOutputStream(fd), StandardCharsets.UTF_8), false);
  }
}
