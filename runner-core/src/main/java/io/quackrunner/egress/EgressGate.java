package io.quackrunner.egress;

import java.nio.file.Path;

/**
 * The host side of a sandbox's egress: the policy proxy the sandbox reaches through a UNIX socket
 * (docs/SANDBOX.md, "Egress"). The sandbox opens it once its workspace exists and closes it after
 * every sandbox process is gone.
 */
public interface EgressGate {
  /**
   * Starts answering on a UNIX socket at {@code socket}, connectable by {@code uid} (the slot's
   * sandbox uid, which the launcher's bridge runs as).
   *
   * @throws io.quackrunner.errors.RunnerException of kind EXECUTION_FAILED when it cannot listen
   */
  void open(Path socket, int uid);

  /** Stops answering and closes every connection; idempotent. */
  void close();
}
