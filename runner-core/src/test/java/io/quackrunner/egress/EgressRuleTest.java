package io.quackrunner.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EgressRuleTest {
  private static AllowList list(String... entries) {
    return AllowList.parse(List.of(entries), ErrorKind.USAGE);
  }

  private static boolean allows(AllowList l, String host, int port) {
    String h = EgressRule.normalizeHost(host);
    return h != null && l.match(h, port) != null;
  }

  @Test
  void aWildcardIsOneOrMoreLeadingLabelsAndNeverTheDomainItself() {
    AllowList l = list("*.pkg.example.org:443");
    assertThat(allows(l, "a.pkg.example.org", 443)).isTrue();
    assertThat(allows(l, "x.y.pkg.example.org", 443)).isTrue();
    assertThat(allows(l, "A.PKG.Example.ORG.", 443)).isTrue();
    assertThat(allows(l, "pkg.example.org", 443)).isFalse();
    assertThat(allows(l, "evilpkg.example.org", 443)).isFalse();
    assertThat(allows(l, "a.pkg.example.org.evil.test", 443)).isFalse();
    assertThat(allows(l, "a.pkg.example.org", 80)).isFalse();
  }

  @Test
  void aNameEntryNeverAllowsAnIpLiteralAndALiteralNeverAName() {
    AllowList l = list("api.example.com:443", "10.0.0.5:8080");
    assertThat(allows(l, "api.example.com", 443)).isTrue();
    assertThat(allows(l, "10.0.0.5", 8080)).isTrue();
    assertThat(allows(l, "10.0.0.5", 443)).isFalse();
    assertThat(allows(l, "api.example.com", 8080)).isFalse();
    assertThat(allows(l, "sub.api.example.com", 443)).isFalse();
  }

  @Test
  void ipv6LiteralsAreComparedAsAddresses() {
    AllowList l = list("[2001:db8::1]:443");
    assertThat(l.labels()).containsExactly("[2001:db8:0:0:0:0:0:1]:443");
    assertThat(allows(l, "[2001:DB8:0::1]", 443)).isTrue();
    assertThat(allows(l, "[2001:db8::2]", 443)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "api.example.com",
        "api.example.com:",
        "api.example.com:0",
        "api.example.com:65536",
        "api.example.com:https",
        "*:443",
        "*.com:443",
        "a*.example.com:443",
        "*.*.example.com:443",
        "**.example.com:443",
        "api.*.example.com:443",
        "*.example.com:*",
        "2001:db8::1:443",
        "[example.com]:443",
        "0x7f.1:80",
        "2130706433:80",
        "-bad.example.com:80",
        "bad..example.com:80",
        "sp ace.example.com:80",
        ":443"
      })
  void malformedEntriesAreRefusedWithTheEntryNamed(String entry) {
    assertThatThrownBy(() -> EgressRule.parse(entry, ErrorKind.SCHEMA_VIOLATION))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("allowed host")
        .satisfies(
            e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.SCHEMA_VIOLATION));
  }

  @Test
  void aRequestMayNarrowTheListButNeverWidenIt() {
    AllowList tool = list("*.pkg.example.org:443", "api.example.com:443", "10.0.0.5:8080");
    assertThat(tool.narrow(list("a.pkg.example.org:443")).labels())
        .containsExactly("a.pkg.example.org:443");
    assertThat(tool.narrow(list("*.eu.pkg.example.org:443", "api.example.com:443")).labels())
        .hasSize(2);
    assertThat(tool.narrow(list("*.pkg.example.org:443")).labels()).hasSize(1);
    for (String wider :
        List.of(
            "pkg.example.org:443",
            "api.example.com:8443",
            "other.example.com:443",
            "*.example.org:443",
            "*.example.com:443",
            "10.0.0.6:8080",
            "10.0.0.5:8081")) {
      assertThatThrownBy(() -> tool.narrow(list(wider)))
          .isInstanceOf(RunnerException.class)
          .hasMessageContaining("never widen")
          .satisfies(e -> assertThat(((RunnerException) e).kind()).isEqualTo(ErrorKind.FORBIDDEN));
    }
  }

  @Test
  void normalizeHostRefusesWhatIsNeitherANameNorALiteral() {
    assertThat(EgressRule.normalizeHost("Web.Test.")).isEqualTo("web.test");
    assertThat(EgressRule.normalizeHost("127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(EgressRule.normalizeHost("bad host")).isNull();
    assertThat(EgressRule.normalizeHost("[not-v6]")).isNull();
    assertThat(EgressRule.normalizeHost("")).isNull();
  }
}
