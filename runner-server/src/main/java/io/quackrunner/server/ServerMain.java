package io.quackrunner.server;

import io.quackrunner.errors.RunnerException;
import java.io.PrintStream;
import java.util.List;

/**
 * The entry point of {@code runner serve}: {@code --port N --state-dir DIR [--registry FILE]
 * [--bind ADDR]} and the other {@link ServerOptions}.
 */
public final class ServerMain {
  private ServerMain() {}

  /** Starts the server and blocks until the process is stopped; exits non-zero on a bad start. */
  public static void main(String[] args) {
    int code = run(List.of(args), System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Parses options, starts the server, prints where it listens (and the admin token file on first
   * start) and blocks until the process is stopped.
   *
   * @return 0 after a clean stop, else the error kind's exit code (the one-line reason on {@code
   *     err})
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    GatewayServer server;
    try {
      server = GatewayServer.start(ServerOptions.parse(args));
    } catch (RunnerException e) {
      err.println("runner serve: " + e.getMessage());
      return e.kind().exitCode();
    }
    if (server.adminTokenFile() != null) {
      out.println("admin token written to " + server.adminTokenFile());
    }
    out.println("listening on " + server.uri());
    out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    try {
      server.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
