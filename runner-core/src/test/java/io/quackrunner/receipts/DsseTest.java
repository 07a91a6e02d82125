package io.quackrunner.receipts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsseTest {

  @Test
  void paeMatchesTheSpecExample() {
    assertThat(Dsse.pae("http://example.com/HelloWorld", utf8("hello world")))
        .isEqualTo(utf8("DSSEv1 29 http://example.com/HelloWorld 11 hello world"));
  }

  @Test
  void paeCountsBytesNotCharacters() {
    String type = "application/vnd.t\u00ffpe"; // 20 chars, 21 bytes
    byte[] body = utf8("h\u00e9llo \u20ac \ud83e\udd86"); // 10 UTF-16 chars, 15 bytes
    assertThat(type.length()).isEqualTo(20);
    assertThat(body).hasSize(15);
    assertThat(new String(body, StandardCharsets.UTF_8).length()).isEqualTo(10);
    byte[] want = utf8("DSSEv1 21 application/vnd.t\u00ffpe 15 h\u00e9llo \u20ac \ud83e\udd86");
    assertThat(Dsse.pae(type, body)).isEqualTo(want);
    assertThat(new String(Dsse.pae(type, body), StandardCharsets.UTF_8))
        .startsWith("DSSEv1 21 ")
        .contains(" 15 h");
  }

  @Test
  void writesCanonicalJsonAndReadsItBack() {
    SigningKey key = SigningKey.generate("test.example/runner");
    DsseEnvelope env = Dsse.sign("application/vnd.in-toto+json", utf8("{\"a\":1}"), key);
    byte[] json = Dsse.write(env);
    assertThat(Jcs.canonicalize(json)).isEqualTo(json);
    assertThat(new String(json, StandardCharsets.UTF_8))
        .startsWith(
            "{\"payload\":\"eyJhIjoxfQ==\",\"payloadType\":\"application/vnd.in-toto+json\"");
    DsseEnvelope back = Dsse.parse(json);
    assertThat(back.payloadType()).isEqualTo(env.payloadType());
    assertThat(back.payload()).isEqualTo(env.payload());
    assertThat(back.signatures()).hasSize(1);
    assertThat(back.signatures().get(0).keyid()).isEqualTo(key.keyId());
    assertThat(
            key.verifierKey()
                .verify(
                    Dsse.pae(back.payloadType(), back.payload()), back.signatures().get(0).sig()))
        .isTrue();
  }

  @Test
  void parsesStrictly() {
    String sig = "{\"keyid\":\"k\",\"sig\":\"AAAA\"}";
    List<String> bad =
        List.of(
            "{\"payloadType\":\"t\",\"payload\":\"AAAA\",\"signatures\":[" + sig + "],\"x\":1}",
            "{\"payloadType\":\"t\",\"payload\":\"AAAA\",\"signatures\":[{\"keyid\":\"k\",\"sig\":\"AAAA\",\"y\":2}]}",
            "{\"payloadType\":\"t\",\"payload\":\"AAAA\",\"signatures\":[]}",
            "{\"payloadType\":\"t\",\"payload\":\"AAAA\"}",
            "{\"payloadType\":\"t\",\"payload\":\"AAA\",\"signatures\":[" + sig + "]}",
            "{\"payloadType\":\"t\",\"payload\":\"-_-_\",\"signatures\":[" + sig + "]}",
            "{\"payloadType\":1,\"payload\":\"AAAA\",\"signatures\":[" + sig + "]}",
            "{\"payloadType\":\"t\",\"payloadType\":\"u\",\"payload\":\"AAAA\",\"signatures\":["
                + sig
                + "]}",
            "[]");
    for (String json : bad) {
      assertThatThrownBy(() -> Dsse.parse(utf8(json)))
          .as(json)
          .isInstanceOfSatisfying(
              RunnerException.class,
              e -> assertThat(e.kind()).isEqualTo(ErrorKind.VERIFICATION_FAILED));
    }
    assertThat(
            Dsse.parse(
                    utf8(
                        "{\"payloadType\":\"t\",\"payload\":\"AAAA\",\"signatures\":["
                            + sig
                            + "]}"))
                .payload())
        .hasSize(3);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
