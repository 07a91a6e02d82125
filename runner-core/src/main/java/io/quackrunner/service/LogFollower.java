package io.quackrunner.service;

import io.quackrunner.logs.LogStream;

/** Receives a live run's output as it is produced, then the end of the run. */
public interface LogFollower {
  /**
   * Called with each chunk, in order per stream; never concurrently for one stream.
   *
   * @param stream stdout or stderr
   * @param offset byte offset of the chunk's first byte in its stream's stored log
   * @param data the bytes (a copy the follower may keep)
   */
  void chunk(LogStream stream, long offset, byte[] data);

  /** Called once after the run reached a terminal status and its logs are complete. */
  void end();
}
