package io.quackrunner.service;

import io.quackrunner.logs.LogListener;
import io.quackrunner.logs.LogStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Fans the live output of this process's runs out to any number of {@link LogFollower}s. */
final class RunLogs {
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();

  /** Opens the channel of a run about to be queued or executed here. */
  void open(String id) {
    channels.computeIfAbsent(id, k -> new Channel());
  }

  /** Returns the listener the executor feeds with the run's output. */
  LogListener listener(String id) {
    Channel c = channels.computeIfAbsent(id, k -> new Channel());
    return (stream, buf, off, len) ->
        c.publish(stream, java.util.Arrays.copyOfRange(buf, off, off + len));
  }

  /** Ends a run's channel: every follower gets {@link LogFollower#end()}. */
  void close(String id) {
    Channel c = channels.remove(id);
    if (c != null) {
      c.end();
    }
  }

  /** Adds a follower; returns false when the run is not live in this process. */
  boolean follow(String id, LogFollower f) {
    Channel c = channels.get(id);
    return c != null && c.add(f);
  }

  /** Removes a follower. */
  void unfollow(String id, LogFollower f) {
    Channel c = channels.get(id);
    if (c != null) {
      c.remove(f);
    }
  }

  private static final class Channel {
    private final List<LogFollower> followers = new ArrayList<>();
    private final long[] offsets = new long[LogStream.values().length];
    private boolean ended;

    synchronized boolean add(LogFollower f) {
      if (ended) {
        return false;
      }
      followers.add(f);
      return true;
    }

    synchronized void remove(LogFollower f) {
      followers.remove(f);
    }

    synchronized void publish(LogStream s, byte[] data) {
      long at = offsets[s.ordinal()];
      offsets[s.ordinal()] += data.length;
      for (LogFollower f : followers) {
        f.chunk(s, at, data);
      }
    }

    synchronized void end() {
      ended = true;
      for (LogFollower f : followers) {
        f.end();
      }
      followers.clear();
    }
  }
}
