package io.quackrunner.egress;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The address ranges the egress proxy never connects to unless the address is listed literally: the
 * host's own and internal networks, where a name pointing there (by mistake, or by DNS rebinding)
 * would reach services no tool should see.
 *
 * <p>IPv4 (RFC 6890 special-purpose registry): 0.0.0.0/8 "this network", 10.0.0.0/8, 172.16.0.0/12,
 * 192.168.0.0/16 private (RFC 1918), 100.64.0.0/10 shared CGNAT (RFC 6598), 127.0.0.0/8 loopback,
 * 169.254.0.0/16 link-local (with the cloud metadata address 169.254.169.254), 192.0.0.0/24 IETF
 * protocol assignments, 198.18.0.0/15 benchmarking, 224.0.0.0/4 multicast, 240.0.0.0/4 reserved and
 * the broadcast address. IPv6: {@code ::}, {@code ::1}, fe80::/10 link-local, fc00::/7 unique local
 * (with AWS's fd00:ec2::254 metadata), ff00::/8 multicast; an IPv4-mapped (::ffff:0:0/96),
 * IPv4-compatible or NAT64 (64:ff9b::/96) address is judged by the IPv4 address inside it. The
 * documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are not refused: no public
 * route leads there, and the tests use them.
 */
public final class AddressRules {
  private AddressRules() {}

  /** Returns why {@code a} is refused (e.g. {@code "loopback"}), or null when it may be reached. */
  public static String forbidden(InetAddress a) {
    if (a instanceof Inet4Address) {
      return v4(a.getAddress());
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address) {
      boolean zero96 = true;
      for (int i = 0; i < 10; i++) {
        zero96 &= b[i] == 0;
      }
      if (zero96
          && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
        if (b[10] == 0 && b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1)) {
          return b[15] == 0 ? "unspecified" : "loopback";
        }
        return v4(new byte[] {b[12], b[13], b[14], b[15]});
      }
      if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) {
        boolean nat64 = true;
        for (int i = 4; i < 12; i++) {
          nat64 &= b[i] == 0;
        }
        if (nat64) {
          return v4(new byte[] {b[12], b[13], b[14], b[15]});
        }
      }
      int b0 = b[0] & 0xff;
      int b1 = b[1] & 0xff;
      if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
        return "link-local";
      }
      if ((b0 & 0xfe) == 0xfc) {
        return "private (unique local)";
      }
      if (b0 == 0xff) {
        return "multicast";
      }
      return null;
    }
    return "not an IP address";
  }

  private static String v4(byte[] b) {
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    if (a0 == 0) {
      return "this network (0.0.0.0/8)";
    }
    if (a0 == 127) {
      return "loopback";
    }
    if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
      return "private";
    }
    if (a0 == 100 && (a1 & 0xc0) == 64) {
      return "private (shared address space)";
    }
    if (a0 == 169 && a1 == 254) {
      return a2 == 169 && (b[3] & 0xff) == 254 ? "link-local (metadata service)" : "link-local";
    }
    if (a0 == 192 && a1 == 0 && a2 == 0) {
      return "IETF protocol assignments";
    }
    if (a0 == 198 && (a1 & 0xfe) == 18) {
      return "benchmarking";
    }
    if (a0 >= 224) {
      return a0 < 240 ? "multicast" : "reserved";
    }
    return null;
  }
}
