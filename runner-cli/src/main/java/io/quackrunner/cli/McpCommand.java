package io.quackrunner.cli;

import io.quackrunner.execution.Engine;
import io.quackrunner.server.McpStdio;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner mcp}: an MCP server over stdio for desktop agents (docs/MCP.md), the engine
 * embedded on the state directory. Standard output carries JSON-RPC only, so {@code System.out} is
 * pointed at standard error while it runs.
 */
@Command(name = "mcp", description = "Serve MCP over stdio (read-only unless --allow-execution)")
final class McpCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "state directory")
  Path stateDir;

  @Option(
      names = "--registry",
      paramLabel = "FILE",
      description = "tool registry (default: the bundled example)")
  Path registry;

  @Option(names = "--limits", paramLabel = "FILE", description = "limits policy (properties)")
  Path limits;

  @Option(
      names = "--tenant",
      paramLabel = "T",
      description = "tenant the session acts for (default: local, as runner exec)")
  String tenant = ExecCommand.TENANT;

  @picocli.CommandLine.Mixin DatabaseOptions db = new DatabaseOptions();

  @Option(
      names = "--allow-execution",
      description = "offer the run tools (default: read-only: runs, logs, receipts, proofs)")
  boolean allowExecution;

  @Override
  public Integer call() {
    List<String> a = new ArrayList<>();
    a.add("--state-dir");
    a.add((stateDir != null ? stateDir : Engine.stateDir(System.getenv())).toString());
    if (registry != null) {
      a.add("--registry");
      a.add(registry.toString());
    }
    if (limits != null) {
      a.add("--limits");
      a.add(limits.toString());
    }
    db.addTo(a);
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    PrintStream err = System.err;
    System.setOut(err); // nothing but JSON-RPC may reach standard output
    return McpStdio.run(McpStdio.options(a), allowExecution, tenant, System.in, stdout, err);
  }

  private static void add(List<String> a, String option, String value) {
    if (value != null) {
      a.add(option);
      a.add(value);
    }
  }
}
