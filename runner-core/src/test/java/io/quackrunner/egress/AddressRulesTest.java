package io.quackrunner.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressRulesTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.1.2.3",
        "0.0.0.0",
        "10.0.0.5",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "100.64.0.1",
        "169.254.169.254",
        "169.254.1.1",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00:ec2::254",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",
        "::127.0.0.1"
      })
  void internalAddressesAreRefused(String a) {
    assertThat(AddressRules.forbidden(InetAddress.ofLiteral(a))).as(a).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "203.0.113.2",
        "198.51.100.7",
        "192.0.2.1",
        "8.8.8.8",
        "172.32.0.1",
        "100.128.0.1",
        "2001:db8::1",
        "2606:4700::1111",
        "::ffff:8.8.8.8"
      })
  void publicAndDocumentationAddressesPass(String a) {
    assertThat(AddressRules.forbidden(InetAddress.ofLiteral(a))).as(a).isNull();
  }
}
