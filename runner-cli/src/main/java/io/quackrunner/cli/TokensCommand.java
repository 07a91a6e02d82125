package io.quackrunner.cli;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.execution.Engine;
import io.quackrunner.server.TokenStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner tokens add|list|revoke}: the gateway's bearer tokens, kept as SHA-256 hashes in a
 * token file ({@code <sha256 hex> <tenant> [mcp-execute]} per line, mode 0600; by default {@code
 * <state-dir>/tokens/tokens}, the file {@code runner serve} reads). A running server sees changes
 * at its next request.
 */
@Command(
    name = "tokens",
    description = "Add, list or revoke the gateway's bearer tokens",
    subcommands = {TokensCommand.Add.class, TokensCommand.List.class, TokensCommand.Revoke.class})
public final class TokensCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Override
  public Integer call() {
    throw new RunnerException(ErrorKind.USAGE, "tokens needs a subcommand: add, list or revoke");
  }

  static Path file(Path given) {
    return given != null
        ? given
        : Engine.stateDir(System.getenv()).resolve("tokens").resolve("tokens");
  }

  /** Makes a token for a tenant, prints it once and stores only its hash. */
  @Command(name = "add", description = "Make a token for a tenant; it is printed once")
  static final class Add implements Callable<Integer> {
    @ParentCommand TokensCommand tokens;

    @Option(names = "--tenant", required = true, paramLabel = "T", description = "tenant name")
    String tenant;

    @Option(names = "--tokens", paramLabel = "FILE", description = "token file")
    Path file;

    @Option(
        names = "--mcp-execute",
        description = "let this token run tools over MCP (default: its MCP sessions are read-only)")
    boolean mcpExecute;

    @Override
    public Integer call() {
      Path f = file(file);
      String token = TokenStore.issue(f, tenant, mcpExecute);
      var ctx = tokens.runner.context();
      ctx.out().println(token);
      ctx.out().flush();
      System.err.println(
          "runner: token for tenant "
              + tenant
              + " added to "
              + f
              + " as sha256 "
              + TokenStore.hashOf(token).substring(0, 12)
              + "…; it is shown only now");
      return 0;
    }
  }

  /** Lists the tokens' hashes and tenants (the tokens themselves are stored nowhere). */
  @Command(name = "list", description = "List token hashes and their tenants")
  static final class List implements Callable<Integer> {
    @ParentCommand TokensCommand tokens;

    @Option(names = "--tokens", paramLabel = "FILE", description = "token file")
    Path file;

    @Override
    public Integer call() {
      for (TokenStore.Entry e : TokenStore.list(file(file))) {
        tokens
            .runner
            .context()
            .out()
            .println(
                e.sha256()
                    + " "
                    + e.tenant()
                    + (e.mcpExecute() ? " " + TokenStore.MCP_EXECUTE : ""));
      }
      return 0;
    }
  }

  /** Removes every token of a tenant, or one token named by a prefix of its hash. */
  @Command(name = "revoke", description = "Revoke a tenant's tokens or one token by hash prefix")
  static final class Revoke implements Callable<Integer> {
    @ParentCommand TokensCommand tokens;

    @Option(names = "--tenant", paramLabel = "T", description = "revoke every token of T")
    String tenant;

    @Option(names = "--hash", paramLabel = "HEX", description = "at least 8 hex digits")
    String hash;

    @Option(names = "--tokens", paramLabel = "FILE", description = "token file")
    Path file;

    @Override
    public Integer call() {
      if ((tenant == null) == (hash == null)) {
        throw new RunnerException(ErrorKind.USAGE, "revoke needs exactly one of --tenant, --hash");
      }
      for (TokenStore.Entry e : TokenStore.revoke(file(file), tenant, hash)) {
        tokens.runner.context().out().println("revoked " + e.sha256() + " " + e.tenant());
      }
      return 0;
    }
  }
}
