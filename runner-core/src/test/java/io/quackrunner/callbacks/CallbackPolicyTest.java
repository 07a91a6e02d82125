package io.quackrunner.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The callback allow-list and its SSRF rules, the address classes and the backoff bounds. */
class CallbackPolicyTest {
  static CallbackPolicy policy(String... lines) {
    return CallbackPolicy.parse(
        String.join("\n", lines).getBytes(StandardCharsets.UTF_8), "callbacks.yaml");
  }

  static final CallbackPolicy P =
      policy(
          "callbacks: 1",
          "allow:",
          "  - http://127.0.0.1:8099",
          "  - http://localhost:8098",
          "  - url: http://localhost:8097",
          "    private: true",
          "  - https://[::1]:8443");

  static ErrorKind refusal(CallbackPolicy p, String url) {
    try {
      p.check(url);
      return null;
    } catch (RunnerException e) {
      return e.kind();
    }
  }

  @Test
  void anAllowListedAddressLiteralIsAcceptedAndPinned() {
    CallbackTarget t = P.check("http://127.0.0.1:8099/hooks/receipt?x=1");
    assertThat(t.addressText()).isEqualTo("127.0.0.1");
    assertThat(t.port()).isEqualTo(8099);
    assertThat(P.check("https://[::1]:8443/r").addressText()).isEqualTo("0:0:0:0:0:0:0:1");
  }

  @Test
  void schemeHostAndPortMustAllMatchAnEntry() {
    assertThat(refusal(P, "http://127.0.0.1:8100/")).isEqualTo(ErrorKind.CALLBACK_REFUSED);
    assertThat(refusal(P, "https://127.0.0.1:8099/")).isEqualTo(ErrorKind.CALLBACK_REFUSED);
    assertThat(refusal(P, "http://127.0.0.2:8099/")).isEqualTo(ErrorKind.CALLBACK_REFUSED);
    assertThat(refusal(P, "http://127.1:8099/")).isEqualTo(ErrorKind.CALLBACK_REFUSED);
    assertThat(refusal(P, "http://2130706433:8099/")).isEqualTo(ErrorKind.CALLBACK_REFUSED);
  }

  @Test
  void aNameResolvingToLoopbackIsRefusedUnlessItsEntryIsMarkedPrivate() {
    assertThatThrownBy(() -> P.check("http://localhost:8098/r"))
        .isInstanceOf(RunnerException.class)
        .hasMessageContaining("loopback")
        .extracting(e -> ((RunnerException) e).kind())
        .isEqualTo(ErrorKind.CALLBACK_REFUSED);
    assertThat(P.check("http://localhost:8097/r").address().isLoopbackAddress()).isTrue();
  }

  @Test
  void malformedOrDangerousUrlsAreRefused() {
    for (String u :
        new String[] {
          "ftp://127.0.0.1:8099/",
          "file:///etc/passwd",
          "http://user:pw@127.0.0.1:8099/",
          "http://127.0.0.1:8099/#frag",
          "/relative",
          "http://127.0.0.1:8099/" + "a".repeat(2100),
          "http:// bad"
        }) {
      assertThat(refusal(P, u)).as(u).isEqualTo(ErrorKind.CALLBACK_REFUSED);
    }
  }

  @Test
  void withoutAFileNothingIsAllowed() {
    assertThatThrownBy(() -> CallbackPolicy.NONE.check("https://hooks.example.com/"))
        .hasMessageContaining("allows no callback destinations");
  }

  @Test
  void aPinnedAddressIsCheckedAgainAgainstANarrowedPolicy() throws Exception {
    CallbackTarget t = P.check("http://127.0.0.1:8099/r");
    assertThat(P.recheck(t)).isNull();
    CallbackPolicy narrowed = policy("callbacks: 1", "allow:", "  - http://localhost:8099");
    assertThat(narrowed.recheck(t)).contains("not on the callback allow-list");
    CallbackTarget named =
        new CallbackTarget(
            java.net.URI.create("http://localhost:8098/r"), InetAddress.getByName("127.0.0.1"));
    assertThat(P.recheck(named)).contains("loopback");
  }

  @Test
  void badFilesNameTheLine() {
    assertThatThrownBy(() -> policy("callbacks: 1", "allow:", "  - http://a.example/path"))
        .hasMessageStartingWith("callbacks.yaml:3:")
        .hasMessageContaining("without a path");
    assertThatThrownBy(() -> policy("callbacks: 1", "alow: []"))
        .hasMessageStartingWith("callbacks.yaml:2:")
        .hasMessageContaining("unknown key 'alow'");
    assertThatThrownBy(() -> policy("callbacks: 2")).hasMessageStartingWith("callbacks.yaml:1:");
    assertThatThrownBy(() -> policy("callbacks: 1", "give_up_after: soon"))
        .hasMessageStartingWith("callbacks.yaml:2:");
    assertThatThrownBy(
            () ->
                policy(
                    "callbacks: 1", "allow:", "  - url: http://10.0.0.1:80", "    private: true"))
        .hasMessageContaining("address literal is explicit");
    assertThatThrownBy(() -> policy("callbacks: 1", "initial_backoff: 10s", "max_backoff: 1s"))
        .hasMessageContaining("max_backoff");
  }

  @Test
  void specialAddressClassesAreRecognised() throws Exception {
    String[][] cases = {
      {"127.0.0.1", "loopback"},
      {"10.1.2.3", "private"},
      {"172.16.0.1", "private"},
      {"192.168.1.1", "private"},
      {"169.254.169.254", "link-local"},
      {"0.0.0.0", "unspecified"},
      {"100.64.0.1", "shared"},
      {"224.0.0.1", "multicast"},
      {"255.255.255.255", "reserved"},
      {"::1", "loopback"},
      {"fe80::1", "link-local"},
      {"fd00::1", "unique-local"},
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:169.254.169.254", "link-local"},
      {"64:ff9b::a9fe:a9fe", "link-local"},
    };
    for (String[] c : cases) {
      assertThat(AddressRanges.special(InetAddress.getByName(c[0]))).as(c[0]).contains(c[1]);
    }
    assertThat(AddressRanges.special(InetAddress.getByName("8.8.8.8"))).isNull();
    assertThat(AddressRanges.special(InetAddress.getByName("2001:4860:4860::8888"))).isNull();
  }

  @Test
  void backoffDoublesWithJitterAndStaysBounded() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 200; i++) {
      assertThat(b.delayMs(1, r)).isBetween(500L, 1_000L);
      assertThat(b.delayMs(3, r)).isBetween(2_000L, 4_000L);
      assertThat(b.delayMs(50, r)).isBetween(15_000L, 30_000L);
    }
    long distinct =
        java.util.stream.IntStream.range(0, 50).mapToLong(i -> b.delayMs(4, r)).distinct().count();
    assertThat(distinct).isGreaterThan(10);
  }
}
