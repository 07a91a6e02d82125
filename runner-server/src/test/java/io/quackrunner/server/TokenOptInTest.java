package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file's optional third column, {@code mcp-execute} (docs/MCP.md). */
class TokenOptInTest {
  @TempDir Path dir;

  @Test
  void theOptInIsPerTokenAndSurvivesARevokeOfAnother() {
    Path f = dir.resolve("tokens");
    String exec = TokenStore.issue(f, "alice", true);
    String read = TokenStore.issue(f, "alice");
    TokenStore.issue(f, "bob", true);
    TokenStore store = TokenStore.load(f);
    assertThat(store.principal("Bearer " + exec).mcpExecute()).isTrue();
    assertThat(store.principal("Bearer " + read).mcpExecute()).isFalse();
    assertThat(store.authenticate("Bearer " + exec)).isEqualTo("alice");
    TokenStore.revoke(f, "bob", null);
    assertThat(TokenStore.list(f))
        .extracting(TokenStore.Entry::mcpExecute)
        .containsExactly(true, false);
  }

  @Test
  void anyOtherThirdWordIsAConfigurationError() throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, "ab".repeat(32) + " alice mcp-exec\n");
    assertThatThrownBy(() -> TokenStore.load(f))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining(":1:")
        .hasMessageContaining("mcp-execute")
        .satisfies(
            e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.CONFIGURATION));
  }
}
