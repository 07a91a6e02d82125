package io.quackrunner.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner about}: prints the image identity from {@code image.env} (Runner Platform CONTRACT
 * v0.2.0, "Image identity contract").
 *
 * <p>Prints {@code KEY=VALUE} lines, the required keys first, then the other keys in file order.
 * Fails with exit code 125 if the file is missing, empty, unreadable or malformed, or lacks a
 * required key.
 */
@Command(name = "about", description = "Display image identity")
public final class AboutCommand implements Callable<Integer> {
  /** The keys {@code image.env} must hold, each with a non-empty value. */
  static final List<String> REQUIRED = List.of("RUNNER_IMAGE", "RUNNER_DOMAIN", "RUNNER_ROLE");

  @ParentCommand private RunnerCommand runner;

  @Override
  public Integer call() {
    CliContext context = runner.context();
    EnvFile identity = EnvFile.read(context.etcDir().resolve("image.env"));
    List<String> required = REQUIRED.stream().map(identity::require).toList();
    PrintWriter out = context.out();
    for (int i = 0; i < REQUIRED.size(); i++) {
      out.println(REQUIRED.get(i) + "=" + required.get(i));
    }
    for (Map.Entry<String, String> e : identity.entries().entrySet()) {
      if (!REQUIRED.contains(e.getKey())) {
        out.println(e.getKey() + "=" + e.getValue());
      }
    }
    return 0;
  }
}
