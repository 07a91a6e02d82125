package io.quackrunner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.RunnerException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
  @TempDir Path dir;

  @Test
  void aBlobIsNamedByItsSha256AndReadBackWhole() throws Exception {
    ContentStore store = new ContentStore(dir);
    byte[] bytes = "hello\n".getBytes();
    String hex = store.put(bytes);
    assertThat(hex).isEqualTo(sha256(bytes));
    assertThat(store.path(hex))
        .isEqualTo(dir.resolve("sha256/" + hex.substring(0, 2) + "/" + hex.substring(2)));
    try (var in = store.open(hex)) {
      assertThat(in.readAllBytes()).isEqualTo(bytes);
    }
    assertThat(store.size(hex)).isEqualTo(bytes.length);
  }

  @Test
  void writersOfTheSameDigestAtOnceLeaveOneWholeBlobAndNoPartFiles() throws Exception {
    byte[] bytes = new byte[3 << 20];
    new Random(7).nextBytes(bytes);
    String expected = sha256(bytes);
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      for (int round = 0; round < 5; round++) {
        Path root = dir.resolve("round-" + round);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> puts = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
          // one store object per writer, as separate processes or nodes on one directory have
          ContentStore store = new ContentStore(root);
          puts.add(
              pool.submit(
                  () -> {
                    start.await();
                    return store.put(new ByteArrayInputStream(bytes), Long.MAX_VALUE);
                  }));
        }
        start.countDown();
        for (Future<String> f : puts) {
          assertThat(f.get()).isEqualTo(expected);
        }
        ContentStore store = new ContentStore(root);
        try (var in = store.open(expected)) {
          assertThat(sha256(in.readAllBytes())).isEqualTo(expected);
        }
        try (Stream<Path> left = Files.list(root.resolve("tmp"))) {
          assertThat(left).as("part files left behind").isEmpty();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aStreamOverTheLimitIsRefusedAndLeavesNothing() throws Exception {
    ContentStore store = new ContentStore(dir);
    assertThatThrownBy(() -> store.put(new ByteArrayInputStream(new byte[100]), 99))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("larger than the limit of 99 bytes");
    try (Stream<Path> left = Files.list(dir.resolve("tmp"))) {
      assertThat(left).isEmpty();
    }
    assertThat(dir.resolve("sha256")).doesNotExist();
  }

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

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
