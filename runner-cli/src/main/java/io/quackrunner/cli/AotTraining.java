package io.quackrunner.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.List;

/**
 * The training run of the JDK AOT cache (JEP 483/514/515) that {@code bin/aot-train} records: one
 * JVM runs the short-lived commands a CI script calls, so the cache holds the classes, linked, and
 * the method profiles of each of them.
 *
 * <p>Runs {@code help}, {@code version}, then {@code exec -- /bin/true} twice (the first creates
 * the state directory and keys named by {@code RUNNER_STATE_DIR}, the second is the steady-state
 * path of every later call). With the argument {@code version} it runs only a bare {@code version}:
 * the JVM loads every class of its cache at start, so {@code runner version} gets a cache of its
 * own (bin/runner picks it), a tenth the size. Output is discarded. Exits 1 if any command fails,
 * since a cache trained on a failing path would cache the error path instead.
 */
public final class AotTraining {
  private AotTraining() {}

  /** Runs the training commands: all of them, or with the argument {@code version} that one. */
  public static void main(String[] args) {
    PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
    PrintWriter err = new PrintWriter(System.err, true);
    List<String[]> commands =
        args.length == 1 && args[0].equals("version")
            ? List.<String[]>of(new String[] {"version"})
            : List.of(
                new String[] {"help"},
                new String[] {"help", "exec"},
                new String[] {"version"},
                new String[] {"exec", "--", "/bin/true"},
                new String[] {"exec", "--", "/bin/true"});
    for (String[] command : commands) {
      int code = Main.run(command, System.getenv(), sink, err);
      if (code != 0) {
        err.println("aot-train: 'runner " + String.join(" ", command) + "' exited " + code);
        System.exit(1);
      }
    }
    System.exit(0);
  }
}
