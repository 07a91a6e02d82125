package io.quackrunner.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Contract: explicit invocation; anything not a core command or plugin fails, in one line. */
class DispatchIT {
  @TempDir Path work;
  RunnerProcess runner;

  @BeforeEach
  void setUp() {
    runner = new RunnerProcess(work);
    runner.goodIdentity();
  }

  @Test
  void noArgumentsFails() {
    runner.run().failsWithOneLine(125, "no command given");
  }

  @Test
  void aSystemCommandIsNotRunImplicitly() {
    runner.run("ls").failsWithOneLine(125, "unknown command 'ls' (see 'runner help')");
  }

  @Test
  void aToolWithoutPluginIsNotRunImplicitly() {
    runner.run("terraform", "version").failsWithOneLine(125, "unknown command 'terraform'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "--version", "-V", "-", "--"})
  void anOptionInPlaceOfACommandFails(String option) {
    runner.run(option).failsWithOneLine(125, "'" + option + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--bogus", "-x", "--help"})
  void anUnknownOptionOfACoreCommandFails(String option) {
    runner
        .run("about", option)
        .failsWithOneLine(125, "unknown option '" + option + "' for 'about'");
  }

  @Test
  void anUnexpectedArgumentOfACoreCommandFails() {
    runner.run("version", "extra").failsWithOneLine(125, "unexpected argument 'extra'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hel", "ver", "HELP", "About", "info ", "", "./help", "/bin/ls"})
  void nothingIsAbbreviatedOrGuessed(String name) {
    runner.run(name).failsWithOneLine(125, "unknown command");
  }

  @Test
  void atFilesAreNotExpanded() {
    runner.etcFile("args", "about\n");
    runner
        .run("help", "@" + runner.etc().resolve("args"))
        .failsWithOneLine(125, "unknown command '@");
  }

  @Test
  void aNameWithLineBreaksStillFailsInOneLine() {
    runner.run("a\nb\u001b[2J").failsWithOneLine(125, "unknown command 'a\\nb\\x1b[2J'");
  }

  @Test
  void anEmptyPluginDirectoryVariableFails() {
    runner
        .env("RUNNER_PLUGINS", "")
        .run("help")
        .failsWithOneLine(125, "RUNNER_PLUGINS is set but empty");
  }
}
