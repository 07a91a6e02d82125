package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quackrunner.errors.ErrorKind;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The one ErrorKind table in the code against every place that lists it: the problem-type table of
 * docs/SERVER.md, the error-kind table of docs/EXIT-CODES.md, and the Problem schema of the served
 * openapi.json. A kind added, renamed or remapped in one place only fails here.
 */
class ErrorTablesTest {
  static final Path DOCS = Path.of(System.getProperty("quackrunner.home", "..")).resolve("docs");

  /** Returns the cells of the rows between {@code <!-- name: …} and {@code <!-- /name -->}. */
  static List<List<String>> rows(Path file, String name) throws Exception {
    String text = Files.readString(file);
    int from = text.indexOf("<!-- " + name + ":");
    int to = text.indexOf("<!-- /" + name + " -->");
    assertThat(from).as(name + " table in " + file).isNotNegative();
    assertThat(to).isGreaterThan(from);
    List<List<String>> out = new ArrayList<>();
    for (String line : text.substring(from, to).lines().skip(3).toList()) {
      List<String> cells =
          Arrays.stream(line.substring(1, line.length() - 1).split("\\|"))
              .map(c -> c.strip().replace("`", ""))
              .toList();
      out.add(cells);
    }
    return out;
  }

  @Test
  void serverDocListsEachKindsTypeTitleAndStatus() throws Exception {
    List<String> doc =
        rows(DOCS.resolve("SERVER.md"), "problem-types").stream()
            .map(c -> c.get(0) + " " + c.get(1) + " " + c.get(2) + " " + c.get(3))
            .toList();
    List<String> code =
        Arrays.stream(ErrorKind.values())
            .map(k -> k.slug() + " " + k.title() + " " + k.httpStatus() + " " + k.name())
            .toList();
    assertThat(doc).containsExactlyElementsOf(code);
  }

  @Test
  void exitCodeDocListsEachKindsSlugExitCodeAndStatus() throws Exception {
    List<String> doc =
        rows(DOCS.resolve("EXIT-CODES.md"), "error-kinds").stream()
            .map(c -> c.get(0) + " " + c.get(1) + " " + c.get(2) + " " + c.get(3))
            .toList();
    List<String> code =
        Arrays.stream(ErrorKind.values())
            .map(k -> k.name() + " " + k.slug() + " " + k.exitCode() + " " + k.httpStatus())
            .toList();
    assertThat(doc).containsExactlyElementsOf(code);
  }

  @Test
  void everyExitCodeOfAKindIsInTheExitCodeTable() throws Exception {
    String table = Files.readString(DOCS.resolve("EXIT-CODES.md"));
    for (ErrorKind k : ErrorKind.values()) {
      assertThat(table).as(k.name()).containsPattern("\\n\\| " + k.exitCode() + " \\|");
    }
  }

  @Test
  void theProblemSchemaNamesExactlyTheKinds() throws Exception {
    JsonNode doc;
    try (InputStream in = Api.class.getResourceAsStream("openapi.json")) {
      doc = TestApi.JSON.readTree(in);
    }
    JsonNode p = doc.at("/components/schemas/Problem/properties");
    List<String> types = new ArrayList<>();
    p.at("/type/enum").forEach(t -> types.add(t.asText()));
    List<String> kinds = new ArrayList<>();
    p.at("/kind/enum").forEach(t -> kinds.add(t.asText()));
    List<String> titles = new ArrayList<>();
    p.at("/title/enum").forEach(t -> titles.add(t.asText()));
    assertThat(types)
        .containsExactlyElementsOf(
            Arrays.stream(ErrorKind.values()).map(ErrorKind::typeUri).toList());
    assertThat(kinds)
        .containsExactlyElementsOf(Arrays.stream(ErrorKind.values()).map(ErrorKind::slug).toList());
    assertThat(titles)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(ErrorKind.values())
                .map(ErrorKind::title)
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new)));
  }

  @Test
  void typesAndTitlesAreDistinctPerKind() {
    assertThat(Arrays.stream(ErrorKind.values()).map(ErrorKind::slug).distinct().count())
        .isEqualTo(ErrorKind.values().length);
    assertThat(Arrays.stream(ErrorKind.values()).map(ErrorKind::title).distinct().count())
        .isEqualTo(ErrorKind.values().length);
  }
}
