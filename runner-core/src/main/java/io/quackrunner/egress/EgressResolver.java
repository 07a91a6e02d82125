package io.quackrunner.egress;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Resolves a host name for the egress proxy, once per connection attempt. */
@FunctionalInterface
public interface EgressResolver {
  /**
   * Returns every address of {@code name}, in the order to try.
   *
   * @param name a lower-case host name (never an IP literal)
   * @throws UnknownHostException when the name has no address
   */
  List<InetAddress> resolve(String name) throws UnknownHostException;

  /** The host's resolver ({@link InetAddress#getAllByName}: nsswitch, /etc/hosts, DNS). */
  static EgressResolver system() {
    return name -> List.of(InetAddress.getAllByName(name));
  }

  /**
   * A resolver that reads only {@code file}, in {@code /etc/hosts} format ({@code ADDRESS NAME...},
   * {@code #} comments), again at every lookup, and never asks DNS: what tests and air-gapped
   * operators give the proxy ({@code quackrunner.egress.hosts}, {@code RUNNER_EGRESS_HOSTS}).
   */
  static EgressResolver hostsFile(Path file) {
    return name -> {
      List<InetAddress> out = new ArrayList<>();
      List<String> lines;
      try {
        lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UnknownHostException(name + " (hosts file " + file + " unreadable: " + e + ")");
      }
      for (String line : lines) {
        int hash = line.indexOf('#');
        String[] f = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
        for (int i = 1; i < f.length; i++) {
          if (f[i].toLowerCase(Locale.ROOT).equals(name)) {
            try {
              out.add(InetAddress.ofLiteral(f[0]));
            } catch (IllegalArgumentException e) {
              // a malformed line names no address
            }
          }
        }
      }
      if (out.isEmpty()) {
        throw new UnknownHostException(name);
      }
      return out;
    };
  }

  /**
   * Returns the configured resolver: the hosts file named by the system property {@code
   * quackrunner.egress.hosts} or the environment variable {@code RUNNER_EGRESS_HOSTS}, else {@link
   * #system()}.
   *
   * @throws RunnerException of kind CONFIGURATION when the named file does not exist
   */
  static EgressResolver configured() {
    String f = System.getProperty("quackrunner.egress.hosts", System.getenv("RUNNER_EGRESS_HOSTS"));
    if (f == null || f.isEmpty()) {
      return system();
    }
    if (!Files.isRegularFile(Path.of(f))) {
      throw new RunnerException(ErrorKind.CONFIGURATION, "egress hosts file " + f + " not found");
    }
    return hostsFile(Path.of(f));
  }
}
