package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/runner: JDK selection, missing build, and start through a symbolic link. */
class LauncherIT {
  private static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");

  @TempDir Path work;
  RunnerProcess runner;

  @BeforeEach
  void setUp() {
    runner = new RunnerProcess(work);
  }

  @Test
  void worksThroughASymbolicLink() throws Exception {
    Path link = Files.createSymbolicLink(work.resolve("runner"), RunnerProcess.LAUNCHER);
    try {
      assertThat(runner.launcher(link).run("version").succeeds().stdout()).startsWith("runner ");
    } finally {
      Files.delete(link); // JUnit's clean-up warns about links that point out of the temp dir.
    }
  }

  @Test
  void runnerJavaIsUsedWhenSet() {
    String java = System.getProperty("java.home") + "/bin/java";
    runner.env("RUNNER_JAVA", java).run("version").succeeds();
  }

  @Test
  void runnerJavaOlderThan25IsRefused() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(JDK17), "no JDK 17 here");
    runner
        .env("RUNNER_JAVA", JDK17.toString())
        .run("version")
        .failsWithOneLine(125, "is Java 17; Java 25 or later is required");
  }

  @Test
  void aRunnerJavaThatIsNotAnExecutableIsRefused() {
    runner
        .env("RUNNER_JAVA", work.resolve("nojava").toString())
        .run("version")
        .failsWithOneLine(125, "is not an executable file");
  }

  @Test
  void aMissingBuildTellsToRunSetup() throws Exception {
    Path bin = Files.createDirectories(work.resolve("checkout/bin"));
    Files.copy(RunnerProcess.LAUNCHER, bin.resolve("runner"));
    runner
        .launcher(bin.resolve("runner"))
        .run("version")
        .failsWithOneLine(125, "runner-cli.jar is missing; run bin/setup");
  }
}
