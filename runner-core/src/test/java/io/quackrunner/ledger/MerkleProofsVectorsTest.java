package io.quackrunner.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Runs every RFC 9162 inclusion vector of transparency-dev/merkle, including the wantErr ones. */
class MerkleProofsVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> everyInclusionVector() throws IOException {
    String shared = System.getProperty("quackrunner.shared", "../../shared");
    Path dir = Path.of(shared, "vectors", "merkle", "inclusion");
    Assumptions.assumeTrue(Files.isDirectory(dir), "vectors absent: " + dir);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThan(50);
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(dir.relativize(f).toString(), () -> check(f)));
  }

  private static void check(Path file) throws IOException {
    JsonNode v = JSON.readTree(file.toFile());
    List<byte[]> proof = new ArrayList<>();
    if (v.get("proof").isArray()) {
      v.get("proof").forEach(p -> proof.add(b64(p.asText())));
    }
    boolean ok =
        MerkleProofs.verifyInclusion(
            b64(v.get("leafHash").asText()),
            v.get("leafIdx").asLong(),
            v.get("treeSize").asLong(),
            proof,
            b64(v.get("root").asText()));
    assertThat(ok).as(v.get("desc").asText()).isEqualTo(!v.get("wantErr").asBoolean());
  }

  private static byte[] b64(String s) {
    return Base64.getDecoder().decode(s);
  }
}
