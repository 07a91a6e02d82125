package io.quackrunner.execution;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the cgroup ITs ({@link CgroupLimitsIT}, {@code sandbox.CgroupV2IT}) in this one JVM, as
 * bin/vm-test does inside each virtual machine (a JVM start costs ~15 s under TCG).
 *
 * <p>Args: the results directory, the mode label. Writes {@code results.txt} there, one line per
 * test ({@code PASS}, {@code FAIL} with the reason, {@code SKIP}) and a closing {@code N passed, N
 * failed} line. Exits 0 only when every test ran and passed and none was skipped.
 */
public final class VmChecks {
  private VmChecks() {}

  /** Runs the checks; see the class comment. */
  public static void main(String[] args) throws Exception {
    long jvmStartMs =
        System.currentTimeMillis()
            - ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
    Path res = Path.of(args[0]);
    Files.writeString(
        res.resolve("timings"),
        "jvm_start_s=" + String.format("%.1f", jvmStartMs / 1000.0) + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    AtomicInteger passed = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long t0 = System.nanoTime();
    try (PrintStream out =
        new PrintStream(Files.newOutputStream(res.resolve("results.txt")), true, "UTF-8")) {
      TestExecutionListener listener =
          new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
              report(out, "SKIP " + id.getDisplayName() + ": " + reason);
              failed.incrementAndGet(); // every check must run in the VM
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult r) {
              if (!id.isTest() && r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return;
              }
              if (r.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                passed.incrementAndGet();
                report(out, "PASS " + id.getDisplayName());
              } else {
                failed.incrementAndGet();
                report(
                    out,
                    "FAIL "
                        + id.getDisplayName()
                        + ": "
                        + r.getThrowable().map(Throwable::toString).orElse("?").replace('\n', ' '));
              }
            }
          };
      Launcher launcher = LauncherFactory.create();
      launcher.execute(
          LauncherDiscoveryRequestBuilder.request()
              .selectors(
                  selectClass(CgroupLimitsIT.class),
                  selectClass(Class.forName("io.quackrunner.sandbox.CgroupV2IT")))
              .build(),
          listener);
      report(out, passed.get() + " passed, " + failed.get() + " failed");
    }
    Files.writeString(
        res.resolve("timings"),
        "checks_s=" + (System.nanoTime() - t0) / 1_000_000_000 + "\n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    System.exit(failed.get() == 0 && passed.get() > 0 ? 0 : 1);
  }

  private static void report(PrintStream out, String line) {
    out.println(line);
    System.out.println("vm-check: " + line);
  }
}
