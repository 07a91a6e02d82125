package io.quackrunner.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the service's own log as JSON lines on standard error: {@code ts}, {@code level}, {@code
 * event} and the given fields (a run's id as {@code run_id}).
 */
public final class JsonLog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static volatile PrintStream out = System.err;

  private JsonLog() {}

  /**
   * Sends the log to another stream (an embedding application's, or a test's that checks what the
   * log holds) and returns the previous one.
   */
  public static PrintStream redirect(PrintStream to) {
    synchronized (JsonLog.class) {
      PrintStream old = out;
      out = to;
      return old;
    }
  }

  /** Logs an informational event; fields alternate name and value. */
  public static void info(String event, Object... fields) {
    write("info", event, fields);
  }

  /** Logs a warning event; fields alternate name and value. */
  public static void warn(String event, Object... fields) {
    write("warn", event, fields);
  }

  private static void write(String level, String event, Object... fields) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ts", Instant.now().toString());
    m.put("level", level);
    m.put("event", event);
    for (int i = 0; i + 1 < fields.length; i += 2) {
      m.put(String.valueOf(fields[i]), fields[i + 1]);
    }
    String line;
    try {
      line = JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      line = "{\"level\":\"warn\",\"event\":\"log.unserializable\"}";
    }
    synchronized (JsonLog.class) {
      out.println(line);
    }
  }
}
