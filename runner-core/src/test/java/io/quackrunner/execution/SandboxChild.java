package io.quackrunner.execution;

import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogStream;
import java.util.List;
import java.util.Map;

/** A runner process for {@link RunnerDeathIT}: runs one long sandbox and echoes its stdout. */
public final class SandboxChild {
  private SandboxChild() {}

  /** Args: state dir, marker. */
  public static void main(String[] args) throws Exception {
    ExecHarness h = new ExecHarness();
    System.out.println("state " + h.state);
    h.executor.execute(
        new ExecRequest(
            null,
            List.of("sh", "-c", "(setsid sleep " + args[0] + " &); echo started; sleep " + args[0]),
            null,
            null,
            h.newOut(),
            Map.of(),
            LimitsRequest.DEFAULTS),
        (stream, buf, off, len) -> {
          if (stream == LogStream.STDOUT) {
            System.out.write(buf, off, len);
            System.out.flush();
          }
        });
    System.out.println("finished");
  }
}
