package io.quackrunner.cli;

import io.quackrunner.execution.Engine;
import io.quackrunner.execution.Executor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code runner smoke [RUNNER_ID...]}: runs each runner's {@code smoke.sh} through the real sandbox
 * on its image ({@link RunnerSmoke}'s four checks), one line per runner; exits 0 when all pass, 1
 * when any fails (docs/EXIT-CODES.md). Without ids, every runner directory with a smoke.sh.
 */
@Command(
    name = "smoke",
    description = "Run runners' smoke tests on their images (default: every runner directory)")
public final class SmokeCommand implements Callable<Integer> {
  @ParentCommand RunnerCommand runner;

  @Parameters(paramLabel = "RUNNER_ID", arity = "0..*", description = "e.g. base python-3.11")
  List<String> ids;

  @Override
  public Integer call() {
    Path runners = ImageCommand.runnersDir();
    List<String> which = ids == null || ids.isEmpty() ? RunnerSmoke.ids(runners) : ids;
    return smoke(runner.context(), which, runners) ? 0 : 1;
  }

  /** Smoke-tests {@code ids}, printing one line each; returns whether all passed. */
  static boolean smoke(CliContext ctx, List<String> ids, Path runners) {
    Path state = Engine.stateDir(System.getenv());
    Executor executor = Engine.open(state, ctx.etcDir());
    boolean all = true;
    for (String id : ids) {
      RunnerSmoke.Outcome o =
          RunnerSmoke.run(id, runners, ImageCommand.store(), executor, state.resolve("smoke"));
      ctx.out().println(o.line());
      ctx.out().flush();
      all &= o.ok();
    }
    return all;
  }
}
