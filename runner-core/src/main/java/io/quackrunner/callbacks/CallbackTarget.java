package io.quackrunner.callbacks;

import java.net.InetAddress;
import java.net.URI;

/**
 * A callback destination accepted by a {@link CallbackPolicy}: the URL as given and the one address
 * its host resolved to when the run was submitted. Delivery connects to {@code address} (the name
 * is not resolved again) and sends the URL's host in {@code Host} and TLS SNI.
 *
 * @param url the absolute {@code http} or {@code https} URL, without user info or fragment
 * @param address the address the connection goes to
 */
public record CallbackTarget(URI url, InetAddress address) {
  /** Returns the URL's port, or the scheme's default (80, 443). */
  public int port() {
    return url.getPort() != -1 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
  }

  /** Returns the literal address text, e.g. {@code 203.0.113.7} or {@code 2001:db8::1}. */
  public String addressText() {
    return address.getHostAddress();
  }
}
