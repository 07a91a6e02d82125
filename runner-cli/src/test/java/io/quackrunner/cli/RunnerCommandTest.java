package io.quackrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;

class RunnerCommandTest {
  @Test
  void everyCoreNameIsItsCommandsAnnotatedName() {
    for (RunnerCommand.Core c : RunnerCommand.CORE) {
      assertThat(c.type().getAnnotation(Command.class))
          .as(c.type().getSimpleName())
          .isNotNull()
          .extracting(Command::name)
          .isEqualTo(c.name());
    }
  }

  @Test
  void namesAndClassesAreUnique() {
    Set<String> names =
        RunnerCommand.CORE.stream().map(RunnerCommand.Core::name).collect(Collectors.toSet());
    Set<Class<?>> types =
        RunnerCommand.CORE.stream().map(RunnerCommand.Core::type).collect(Collectors.toSet());
    assertThat(names).hasSize(RunnerCommand.CORE.size());
    assertThat(types).hasSize(RunnerCommand.CORE.size());
  }
}
