package io.quackrunner.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server from Debian's packages: a cluster made by {@code initdb} in a
 * temporary directory, listening on a random free loopback port, stopped and deleted by {@link
 * #close()}.
 *
 * <p>Run as root, the server's programs run as the {@code postgres} user ({@code runuser}), since
 * PostgreSQL refuses to run as root; otherwise as the current user. Clients log in as superuser
 * {@link #USER} with password {@link #PASSWORD} over TCP (scram-sha-256), so a wrong password is
 * refused as on a real server. The system cluster the package may have made on port 5432 is never
 * used. When PostgreSQL is not installed, {@link #start()} fails naming the package ({@code
 * bin/setup} installs it): a test that needs PostgreSQL never passes without one.
 *
 * <p>{@link #start()} runs the server with {@code fsync=off} (a test's data need not survive a
 * power cut, and it is faster); {@link #builder()} starts one with fsync on or other settings, e.g.
 * the statement statistics a benchmark reads.
 */
public final class PostgresServer implements AutoCloseable {
  /** The directory of Debian's PostgreSQL 15 programs ({@code initdb}, {@code pg_ctl}). */
  public static final Path BIN =
      Path.of(System.getProperty("quackrunner.pgbin", "/usr/lib/postgresql/15/bin"));

  /** The superuser the cluster is made with. */
  public static final String USER = "postgres";

  /** The superuser's password. */
  public static final String PASSWORD = "throwaway-" + Long.toHexString(System.nanoTime());

  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  private static final Pattern SETTING_NAME = Pattern.compile("[a-z_][a-z0-9_.]*");
  private static final Pattern SETTING_VALUE = Pattern.compile("[A-Za-z0-9_.,:/+-]+");

  private final Path dir;
  private final int port;
  private final String settings;

  private PostgresServer(Path dir, int port, String settings) {
    this.dir = dir;
    this.port = port;
    this.settings = settings;
  }

  /**
   * Makes and starts a new cluster with {@code fsync=off}.
   *
   * @throws IllegalStateException when PostgreSQL is not installed or does not start; the message
   *     carries the server's log
   */
  public static PostgresServer start() {
    return builder().start();
  }

  /** Returns a builder of a cluster with other server settings than {@link #start()}'s. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Server settings of a cluster to start, passed as {@code -c name=value} options (PostgreSQL 15
   * "Server Configuration"); by default only {@code fsync=off}.
   */
  public static final class Builder {
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Builder() {
      settings.put("fsync", "off");
    }

    /** Turns fsync on (PostgreSQL's own default) or off ({@link #start()}'s). */
    public Builder fsync(boolean on) {
      settings.put("fsync", on ? "on" : "off");
      return this;
    }

    /**
     * Sets one server setting, e.g. {@code setting("shared_preload_libraries",
     * "pg_stat_statements")}.
     *
     * @throws IllegalArgumentException when the name is not a setting name or the value holds
     *     characters other than letters, digits and {@code _ . , : / + -}
     */
    public Builder setting(String name, String value) {
      if (!SETTING_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("not a PostgreSQL setting name: " + name);
      }
      if (!SETTING_VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException(
            "setting " + name + ": value " + value + " holds characters it cannot be passed with");
      }
      settings.put(name, value);
      return this;
    }

    /**
     * Makes and starts the cluster.
     *
     * @throws IllegalStateException when PostgreSQL is not installed or does not start (e.g. an
     *     unknown setting); the message carries the server's log
     */
    public PostgresServer start() {
      StringBuilder options = new StringBuilder();
      settings.forEach((k, v) -> options.append(" -c ").append(k).append('=').append(v));
      return startCluster(options.toString());
    }
  }

  private static PostgresServer startCluster(String settings) {
    if (!Files.isExecutable(BIN.resolve("initdb"))) {
      throw new IllegalStateException(
          BIN.resolve("initdb")
              + " is missing: install the Debian package postgresql (bin/setup does) to run the"
              + " PostgreSQL store tests");
    }
    try {
      Path dir = Files.createTempDirectory("qr-pg-");
      chownToServer(dir);
      Path data = dir.resolve("data");
      Path pw = dir.resolve("pwfile");
      Files.writeString(pw, PASSWORD + "\n");
      chownToServer(pw);
      run(
          dir,
          BIN.resolve("initdb").toString(),
          "-D",
          data.toString(),
          "-U",
          USER,
          "--pwfile=" + pw,
          "--auth-local=trust",
          "--auth-host=scram-sha-256",
          "-E",
          "UTF8",
          "--no-sync",
          "--locale=C");
      IllegalStateException last = null;
      for (int attempt = 0; attempt < 3; attempt++) { // the free port may be taken meanwhile
        int port = freePort();
        try {
          run(
              dir,
              BIN.resolve("pg_ctl").toString(),
              "-D",
              data.toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-w",
              "-t",
              "60",
              "-o",
              serverOptions(dir, port, settings),
              "start");
          return new PostgresServer(dir, port, settings);
        } catch (IllegalStateException e) {
          last = e;
        }
      }
      throw last;
    } catch (IOException e) {
      throw new IllegalStateException("cannot make a PostgreSQL cluster: " + e, e);
    }
  }

  private static String serverOptions(Path dir, int port, String settings) {
    return "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1" + settings;
  }

  /**
   * Stops the server as an administrator's restart does ({@code pg_ctl stop -m fast}: sessions are
   * ended, the data kept); {@link #startAgain} brings it back on the same port.
   *
   * @throws IllegalStateException when pg_ctl fails
   */
  public void stop() {
    run(
        dir,
        BIN.resolve("pg_ctl").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-m",
        "fast",
        "-w",
        "stop");
  }

  /**
   * Starts a server {@link #stop}ped before, with its data and port.
   *
   * @throws IllegalStateException when it does not start (the message carries the server's log)
   */
  public void startAgain() {
    run(
        dir,
        BIN.resolve("pg_ctl").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-l",
        dir.resolve("server.log").toString(),
        "-w",
        "-t",
        "60",
        "-o",
        serverOptions(dir, port, settings),
        "start");
  }

  /** Returns the loopback TCP port the server listens on. */
  public int port() {
    return port;
  }

  /** Returns a JDBC URL of database {@code name} on this server. */
  public String jdbcUrl(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  /**
   * Creates an empty database.
   *
   * @return its JDBC URL
   */
  public String createDatabase(String name) {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
      return jdbcUrl(name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + ": " + e, e);
    }
  }

  /** Stops the server ({@code pg_ctl stop -m immediate}) and deletes its directory. */
  @Override
  public void close() {
    try {
      run(
          dir,
          BIN.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-m",
          "immediate",
          "-w",
          "stop");
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException ignored) {
        // a leftover temp directory is harmless; the server is stopped
      }
    }
  }

  private static void chownToServer(Path p) throws IOException {
    if (ROOT) {
      Files.setOwner(
          p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void run(Path dir, String... argv) {
    List<String> cmd = new ArrayList<>();
    if (ROOT) {
      cmd.addAll(List.of("runuser", "-u", USER, "--"));
    }
    cmd.addAll(List.of(argv));
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        String log = "";
        Path serverLog = dir.resolve("server.log");
        if (Files.exists(serverLog)) {
          log = "\n" + Files.readString(serverLog);
        }
        throw new IllegalStateException(
            String.join(" ", argv) + " failed: " + new String(out, StandardCharsets.UTF_8) + log);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + argv[0] + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + argv[0], e);
    }
  }
}
