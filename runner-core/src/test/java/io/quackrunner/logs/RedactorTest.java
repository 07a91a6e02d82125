package io.quackrunner.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.secrets.SecretValue;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private static final String VALUE = "s3cr3t+Value/with spaces&=";
  private static final Redaction R =
      Redaction.of(
          List.of(
              new SecretValue(
                  "API_TOKEN",
                  SecretValue.Delivery.FILE,
                  "API_TOKEN",
                  VALUE.getBytes(StandardCharsets.UTF_8))));

  /** Feeds the text in chunks cut at the given offsets and returns what came out. */
  private static String run(Redactor r, String text, int... cuts) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int from = 0;
    for (int c : cuts) {
      r.write(b, from, c - from, out::write);
      from = c;
    }
    r.write(b, from, b.length - from, out::write);
    r.finish(out::write);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void replacesTheValueInOneChunk() {
    Redactor r = R.redactor();
    assertThat(run(r, "token=" + VALUE + "\n")).isEqualTo("token=[REDACTED:API_TOKEN]\n");
    assertThat(r.count()).isEqualTo(1);
  }

  @Test
  void replacesTheValueSplitAtEveryPointAcrossTwoReads() {
    String text = "a " + VALUE + " b " + VALUE;
    int start = 2;
    for (int cut = start; cut <= start + VALUE.length(); cut++) {
      Redactor r = R.redactor();
      assertThat(run(r, text, cut))
          .as("cut at %d", cut)
          .isEqualTo("a [REDACTED:API_TOKEN] b [REDACTED:API_TOKEN]");
      assertThat(r.count()).isEqualTo(2);
    }
  }

  @Test
  void replacesTheValueSplitAcrossManyOneByteReads() {
    String text = "x" + VALUE + "y";
    int[] cuts = new int[text.length() - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    assertThat(run(R.redactor(), text, cuts)).isEqualTo("x[REDACTED:API_TOKEN]y");
  }

  @Test
  void replacesTheStandaloneBase64AndUrlEncodings() {
    byte[] v = VALUE.getBytes(StandardCharsets.UTF_8);
    String b64 = Base64.getEncoder().encodeToString(v);
    String b64url = Base64.getUrlEncoder().encodeToString(v);
    String form = URLEncoder.encode(VALUE, StandardCharsets.UTF_8);
    String pct = form.replace("+", "%20");
    Redactor r = R.redactor();
    String out = run(r, b64 + "\n" + b64url + "\n" + form + "\n" + pct + "\n");
    assertThat(out)
        .isEqualTo(
            "[REDACTED:API_TOKEN]\n[REDACTED:API_TOKEN]\n[REDACTED:API_TOKEN]\n"
                + "[REDACTED:API_TOKEN]\n");
    assertThat(r.count()).isEqualTo(4);
  }

  @Test
  void replacesTheValueInsideLongerBase64InEachOfTheThreeAlignments() {
    byte[] v = VALUE.getBytes(StandardCharsets.UTF_8);
    for (int a = 0; a < 3; a++) {
      byte[] wrapped = new byte[7 + a + v.length + 5];
      new Random(a).nextBytes(wrapped);
      System.arraycopy(v, 0, wrapped, 7 + a, v.length);
      String text = Base64.getEncoder().encodeToString(wrapped);
      Redactor r = R.redactor();
      String out = run(r, text, text.length() / 2);
      assertThat(r.count()).as("alignment %d", (7 + a) % 3).isEqualTo(1);
      assertThat(out).contains("[REDACTED:API_TOKEN]");
      // Whatever survives around the marker cannot be decoded back to the value.
      String[] parts = out.split("\\[REDACTED:API_TOKEN]");
      for (String p : parts) {
        assertThat(p.length()).isLessThan(text.length() - 4 * v.length / 3 + 4);
      }
    }
  }

  @Test
  void passesOtherOutputThroughUnchangedAndWithoutHoldingItBack() {
    Redactor r = R.redactor();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] line = "progress 10% done\n".getBytes(StandardCharsets.UTF_8);
    r.write(line, 0, line.length, out::write);
    assertThat(out.toByteArray()).as("nothing held back before the end").isEqualTo(line);
    byte[] prefix = "then s3cr".getBytes(StandardCharsets.UTF_8);
    r.write(prefix, 0, prefix.length, out::write);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .as("a possible start of the value is held back")
        .isEqualTo("progress 10% done\nthen ");
    r.finish(out::write);
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("then s3cr");
    assertThat(r.count()).isZero();
  }

  @Test
  void aShortValueRedactsOnlyItselfNotItsEncodings() {
    Redaction shortOne =
        Redaction.of(
            List.of(new SecretValue("PIN", SecretValue.Delivery.ENV, "PIN", "4711".getBytes())));
    assertThat(shortOne.patterns()).hasSize(1);
    assertThat(run(shortOne.redactor(), "pin 4711 NDcxMQ=="))
        .isEqualTo("pin [REDACTED:PIN] NDcxMQ==");
  }

  @Test
  void longestPatternWinsAcrossSecrets() {
    Redaction two =
        Redaction.of(
            List.of(
                new SecretValue("A", SecretValue.Delivery.FILE, "A", "abcdefgh".getBytes()),
                new SecretValue("B", SecretValue.Delivery.FILE, "B", "abcdefghijkl".getBytes())));
    assertThat(run(two.redactor(), "<abcdefghijkl><abcdefgh>", 5))
        .isEqualTo("<[REDACTED:B]><[REDACTED:A]>");
  }

  @Test
  void randomChunkingGivesTheSameOutputAsOneChunk() {
    Random rnd = new Random(17);
    byte[] v = VALUE.getBytes(StandardCharsets.UTF_8);
    String b64 = Base64.getEncoder().encodeToString(v);
    for (int round = 0; round < 200; round++) {
      StringBuilder b = new StringBuilder();
      int n = rnd.nextInt(6);
      for (int i = 0; i < 30; i++) {
        int pick = rnd.nextInt(10);
        b.append(pick == 0 ? VALUE : pick == 1 ? b64 : pick == 2 ? VALUE.substring(0, 5) : "ab c");
      }
      String text = b.toString();
      Redactor whole = R.redactor();
      String expected = run(whole, text);
      int[] cuts = rnd.ints(n, 0, text.length() + 1).sorted().toArray();
      Redactor chunked = R.redactor();
      assertThat(run(chunked, text, cuts)).isEqualTo(expected);
      assertThat(chunked.count()).isEqualTo(whole.count());
      assertThat(expected).doesNotContain(VALUE).doesNotContain(b64);
    }
  }
}
