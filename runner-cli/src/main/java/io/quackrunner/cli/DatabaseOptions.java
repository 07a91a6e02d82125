package io.quackrunner.cli;

import io.quackrunner.service.Backend;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every front-end that keeps state takes ({@code runner serve}, {@code exec}, {@code
 * mcp}, {@code keys list}, {@code verify}; docs/STORAGE.md): {@code --database URL [--migrate]
 * [--node-id ID] [--node-lease DURATION]}, checked by {@link Backend.Database#of}.
 */
final class DatabaseOptions {
  @Option(
      names = "--database",
      paramLabel = "URL",
      description =
          "PostgreSQL holding runs, node keys and the ledger: postgresql://user:pass@host:port/db"
              + " or jdbc:postgresql://… (default: SQLite in the state directory; docs/STORAGE.md)")
  String database;

  @Option(names = "--migrate", description = "apply pending migrations of --database first")
  boolean migrate;

  @Option(
      names = "--node-id",
      paramLabel = "ID",
      description =
          "this process's node id on --database (default: the one in <state>/node-id; outside"
              + " serve with .<front-end>-<pid> appended)")
  String nodeId;

  @Option(
      names = "--node-lease",
      paramLabel = "DURATION",
      description =
          "with --database: how long after its last heartbeat this process counts as live"
              + " (default 10s); a node silent longer is declared dead and its runs interrupted")
  String nodeLease;

  /**
   * Returns the checked options.
   *
   * @throws io.quackrunner.errors.RunnerException of kind USAGE as {@link Backend.Database#of}
   */
  Backend.Database database() {
    return Backend.Database.of(database, migrate, nodeId, nodeLease);
  }

  /** Appends the options that were given to {@code a}, for a front-end that parses them itself. */
  void addTo(List<String> a) {
    add(a, "--database", database);
    add(a, "--node-id", nodeId);
    add(a, "--node-lease", nodeLease);
    if (migrate) {
      a.add("--migrate");
    }
  }

  private static void add(List<String> a, String option, String value) {
    if (value != null) {
      a.add(option);
      a.add(value);
    }
  }
}
