package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
  @TempDir Path dir;

  @Test
  void contentStoreAddressesBySha256() throws Exception {
    ContentStore cas = new ContentStore(dir.resolve("cas"));
    String sha = cas.put("abc".getBytes());
    assertThat(sha).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(cas.path(sha)).isEqualTo(dir.resolve("cas/sha256/ba/" + sha.substring(2)));
    assertThat(cas.put("abc".getBytes())).isEqualTo(sha);
    assertThat(cas.size(sha)).isEqualTo(3);
    assertThat(cas.contains("0".repeat(64))).isFalse();
  }
}
