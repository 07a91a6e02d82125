package io.quackrunner.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner version}: prints {@code runner <version>}, then the tool versions declared in
 * {@code tools.env} as {@code KEY=VALUE} lines in file order.
 *
 * <p>An absent {@code tools.env} declares no tools; a present but malformed one fails with exit
 * code 125.
 */
@Command(name = "version", description = "Display available tool versions")
public final class VersionCommand implements Callable<Integer> {
  @ParentCommand private RunnerCommand runner;

  @Override
  public Integer call() {
    return print(runner.context());
  }

  /**
   * Prints what {@code runner version} prints and returns its exit code, 0; {@link Main} calls it
   * directly for a bare {@code runner version}, without picocli.
   *
   * @throws io.quackrunner.errors.RunnerException as {@link EnvFile#readIfPresent} when {@code
   *     tools.env} is malformed (exit code 125)
   */
  static int print(CliContext context) {
    Optional<EnvFile> tools = EnvFile.readIfPresent(context.etcDir().resolve("tools.env"));
    PrintWriter out = context.out();
    out.println("runner " + RunnerVersion.get());
    tools.ifPresent(t -> t.entries().forEach((key, value) -> out.println(key + "=" + value)));
    return 0;
  }
}
