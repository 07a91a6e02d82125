package io.quackrunner.callbacks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Classifies IP addresses a callback must not reach unless the operator allow-lists them
 * explicitly: loopback, link-local, private (RFC 1918, RFC 4193 unique-local), shared (RFC 6598),
 * unspecified, multicast, broadcast and the IPv4-mapped or -translated forms of those (the address
 * classes of server-side request forgery, e.g. Judge0 CVE-2024-29021).
 */
public final class AddressRanges {
  private AddressRanges() {}

  /** Returns the reason an address is not public, or null when it is a public unicast address. */
  public static String special(InetAddress a) {
    if (a instanceof Inet6Address v6 && !a.isLoopbackAddress() && !a.isAnyLocalAddress()) {
      byte[] b = v6.getAddress();
      if (isMappedV4(b) || isNat64(b)) {
        byte[] v4 = {b[12], b[13], b[14], b[15]};
        try {
          return special(InetAddress.getByAddress(v4));
        } catch (java.net.UnknownHostException e) {
          return "malformed";
        }
      }
      if ((b[0] & 0xfe) == 0xfc) {
        return "private (unique-local fc00::/7)";
      }
    }
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a.isLinkLocalAddress()) {
      return "link-local";
    }
    if (a.isSiteLocalAddress()) {
      return "private";
    }
    if (a.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (a.isMulticastAddress()) {
      return "multicast";
    }
    if (a instanceof Inet4Address) {
      int b0 = a.getAddress()[0] & 0xff;
      int b1 = a.getAddress()[1] & 0xff;
      if (b0 == 0) {
        return "this network (0.0.0.0/8)";
      }
      if (b0 == 100 && (b1 & 0xc0) == 64) {
        return "shared (100.64.0.0/10)";
      }
      if (b0 == 192 && b1 == 0 && (a.getAddress()[2] & 0xff) == 0) {
        return "IETF protocol assignments (192.0.0.0/24)";
      }
      if (b0 == 198 && (b1 & 0xfe) == 18) {
        return "benchmarking (198.18.0.0/15)";
      }
      if (b0 >= 240) {
        return "reserved or broadcast (240.0.0.0/4)";
      }
    }
    return null;
  }

  private static boolean isMappedV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
  }

  /** 64:ff9b::/96, the NAT64 well-known prefix (RFC 6052). */
  private static boolean isNat64(byte[] b) {
    if (b[0] != 0 || b[1] != 0x64 || b[2] != (byte) 0xff || b[3] != (byte) 0x9b) {
      return false;
    }
    for (int i = 4; i < 12; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
