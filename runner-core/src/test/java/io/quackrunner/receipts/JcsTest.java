package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class JcsTest {

  @TestFactory
  Stream<DynamicTest> everyRfc8785Vector() throws IOException {
    Path dir = Path.of(System.getProperty("quackrunner.shared", "../../shared"), "vectors", "jcs");
    Assumptions.assumeTrue(Files.isDirectory(dir.resolve("input")), "vectors absent: " + dir);
    List<Path> inputs;
    try (Stream<Path> list = Files.list(dir.resolve("input"))) {
      inputs = list.sorted().toList();
    }
    assertThat(inputs).isNotEmpty();
    return inputs.stream()
        .map(
            in ->
                DynamicTest.dynamicTest(
                    in.getFileName().toString(),
                    () -> {
                      byte[] want =
                          Files.readAllBytes(dir.resolve("output").resolve(in.getFileName()));
                      byte[] got = Jcs.canonicalize(Files.readAllBytes(in));
                      assertThat(new String(got, StandardCharsets.UTF_8))
                          .isEqualTo(new String(want, StandardCharsets.UTF_8));
                      assertThat(got).isEqualTo(want);
                    }));
  }

  @Test
  void sortsByUtf16CodeUnitsNotCodePoints() {
    // U+1F602 is D83D DE02 in UTF-16, so it sorts before U+FB33 although its code point is larger.
    String json = "{\"\\ufb33\":1,\"\\ud83d\\ude02\":2,\"\\u00e9\":3}";
    assertThat(canon(json)).isEqualTo("{\"\u00e9\":3,\"\ud83d\ude02\":2,\"\ufb33\":1}");
  }

  @Test
  void escapesOnlyWhatRfc8785Requires() {
    assertThat(canon("\"\\u0000\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\\u007f\\u2028\""))
        .isEqualTo("\"\\u0000\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\u007f\u2028\"");
  }

  @Test
  void refusesDuplicateNamesTrailingDataAndLoneSurrogates() {
    for (String bad : List.of("{\"a\":1,\"a\":2}", "{} {}", "[1,]", "\"\\ud800\"", "NaN", "")) {
      assertThatThrownBy(() -> canon(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              RunnerException.class,
              e -> assertThat(e.kind()).isEqualTo(ErrorKind.VERIFICATION_FAILED));
    }
  }

  @Test
  void refusesNonFiniteNumbersInTrees() {
    ObjectNode node = JsonNodeFactory.instance.objectNode().put("x", Double.NaN);
    assertThatThrownBy(() -> Jcs.canonicalize(node)).isInstanceOf(RunnerException.class);
  }

  @Test
  void numbersAreDoubles() {
    assertThat(canon("[9007199254740993, 100000000000000000000000]"))
        .isEqualTo("[9007199254740992,1e+23]");
    assertThat(canon("[-0, 0.0, -0.0, 1.0, 1E2]")).isEqualTo("[0,0,0,1,100]");
  }

  @Test
  void isIdempotent() {
    String doc = "{\"z\":[1.5e-7,{\"b\":\"\\u00e9\",\"a\":null}],\"a\":true}";
    byte[] once = Jcs.canonicalize(doc.getBytes(StandardCharsets.UTF_8));
    assertThat(Jcs.canonicalize(once)).isEqualTo(once);
  }

  private static String canon(String json) {
    return new String(
        Jcs.canonicalize(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }
}
