package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Engine;
import io.quackrunner.secrets.SecretInfo;
import io.quackrunner.secrets.SecretStore;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner secrets set|list|rm --tenant T NAME}: the tenants' secrets of the state directory
 * ({@code <state>/secrets/tenants/<tenant>/<NAME>}, mode 0600). A value is read from stdin or
 * {@code --from-file}, never from the command line, and is never printed.
 */
@Command(
    name = "secrets",
    description = "Set, list or remove a tenant's secrets (values never shown)",
    subcommands = {SecretsCommand.Set.class, SecretsCommand.List.class, SecretsCommand.Rm.class})
public final class SecretsCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Override
  public Integer call() {
    throw new RunnerException(ErrorKind.USAGE, "secrets needs a subcommand: set, list or rm");
  }

  static SecretStore store(Path operatorDir) {
    return SecretStore.open(Engine.stateDir(System.getenv())).withDirectory(operatorDir);
  }

  /** Sets a secret from stdin (or a terminal prompt without echo) or from a file. */
  @Command(name = "set", description = "Set a secret from stdin or --from-file (never argv)")
  static final class Set implements Callable<Integer> {
    @ParentCommand SecretsCommand secrets;

    @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "its owner")
    String tenant;

    @Option(names = "--from-file", paramLabel = "FILE", description = "read the value from FILE")
    Path file;

    @Parameters(index = "0", paramLabel = "NAME", description = "[A-Z_][A-Z0-9_]*")
    String name;

    /** Taken only to refuse them without echoing what may be a value typed on the command line. */
    @Parameters(index = "1..*", hidden = true)
    java.util.List<String> extra;

    @Override
    public Integer call() {
      if (extra != null && !extra.isEmpty()) {
        throw new RunnerException(
            ErrorKind.USAGE,
            "secrets set takes the value from stdin or --from-file, never from the command line");
      }
      SecretStore.checkName(name);
      byte[] value = file != null ? fromFile(file) : fromStdin(name);
      try {
        store(null).set(tenant, name, value);
      } finally {
        Arrays.fill(value, (byte) 0);
      }
      secrets.runner.context().out().println("set secret " + name + " of tenant " + tenant);
      return 0;
    }

    private static byte[] fromFile(Path f) {
      try {
        if (!Files.isRegularFile(f) || Files.size(f) > SecretStore.MAX_VALUE_BYTES + 1) {
          throw new RunnerException(
              ErrorKind.USAGE, f + " is not a regular file of at most 64 KiB");
        }
        return Files.readAllBytes(f);
      } catch (IOException e) {
        throw new RunnerException(ErrorKind.USAGE, "cannot read " + f + ": " + e.getMessage());
      }
    }

    private static byte[] fromStdin(String name) {
      Console c = System.console();
      if (c != null && c.isTerminal()) {
        char[] chars = c.readPassword("value of %s (not echoed): ", name);
        if (chars == null) {
          throw new RunnerException(ErrorKind.USAGE, "no value given");
        }
        byte[] b = new String(chars).getBytes(StandardCharsets.UTF_8);
        Arrays.fill(chars, '\0');
        return b;
      }
      try {
        InputStream in = System.in;
        byte[] b = in.readNBytes(SecretStore.MAX_VALUE_BYTES + 2);
        if (b.length > SecretStore.MAX_VALUE_BYTES + 1) {
          throw new RunnerException(
              ErrorKind.TOO_LARGE,
              "secret " + name + ": the value is larger than " + SecretStore.MAX_VALUE_BYTES);
        }
        return b;
      } catch (IOException e) {
        throw new RunnerException(ErrorKind.USAGE, "cannot read stdin: " + e.getMessage());
      }
    }
  }

  /** Lists a tenant's secret names with their update times and sources. */
  @Command(name = "list", description = "List a tenant's secret names and update times")
  static final class List implements Callable<Integer> {
    @ParentCommand SecretsCommand secrets;

    @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "the owner")
    String tenant;

    @Option(
        names = "--secrets-dir",
        paramLabel = "DIR",
        description = "also list the operator directory DIR/<tenant>/ (as serve --secrets-dir)")
    Path dir;

    @Override
    public Integer call() {
      if (dir != null && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new RunnerException(ErrorKind.USAGE, dir + " is not a directory");
      }
      for (SecretInfo s : store(dir).list(tenant)) {
        secrets.runner.context().out().println(s.name() + "\t" + s.updatedAt() + "\t" + s.source());
      }
      return 0;
    }
  }

  /** Removes a tenant's secret. */
  @Command(name = "rm", description = "Remove a tenant's secret")
  static final class Rm implements Callable<Integer> {
    @ParentCommand SecretsCommand secrets;

    @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "its owner")
    String tenant;

    @Parameters(index = "0", paramLabel = "NAME", description = "the secret's name")
    String name;

    @Override
    public Integer call() {
      store(null).remove(tenant, name);
      secrets.runner.context().out().println("removed secret " + name + " of tenant " + tenant);
      return 0;
    }
  }
}
