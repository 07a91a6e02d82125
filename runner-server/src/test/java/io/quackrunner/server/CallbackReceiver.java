package io.quackrunner.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver of receipt callbacks on loopback (the JDK's server), that dedups on the
 * {@code Idempotency-Key} header as a caller's endpoint should: a key it has accepted before is
 * answered 200 again and not accepted twice. Per path it can fail the first N requests (503),
 * answer the first one only after a delay, or redirect.
 */
final class CallbackReceiver implements AutoCloseable {
  /** One request as received. */
  record Received(String path, String contentType, String key, String host, byte[] body) {}

  final HttpServer http;
  final List<Received> received = new CopyOnWriteArrayList<>();
  final Map<String, byte[]> accepted = new ConcurrentHashMap<>();
  final AtomicInteger duplicates = new AtomicInteger();
  private final Map<String, AtomicInteger> failFirst = new ConcurrentHashMap<>();
  private final Map<String, Long> slowFirstMs = new ConcurrentHashMap<>();
  private final Map<String, String> redirects = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();

  CallbackReceiver() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext("/", this::handle);
    http.start();
  }

  int port() {
    return http.getAddress().getPort();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  CallbackReceiver failFirst(String path, int n) {
    failFirst.put(path, new AtomicInteger(n));
    return this;
  }

  CallbackReceiver slowFirst(String path, long ms) {
    slowFirstMs.put(path, ms);
    return this;
  }

  CallbackReceiver redirect(String path, String to) {
    redirects.put(path, to);
    return this;
  }

  List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  private void handle(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    byte[] body = x.getRequestBody().readAllBytes();
    String key = x.getRequestHeaders().getFirst("Idempotency-Key");
    received.add(
        new Received(
            path,
            x.getRequestHeaders().getFirst("Content-Type"),
            key,
            x.getRequestHeaders().getFirst("Host"),
            body));
    int n = seen.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
    try {
      if (redirects.containsKey(path)) {
        x.getResponseHeaders().add("Location", redirects.get(path));
        x.sendResponseHeaders(302, -1);
        return;
      }
      AtomicInteger fail = failFirst.get(path);
      if (fail != null && fail.getAndDecrement() > 0) {
        x.sendResponseHeaders(503, -1);
        return;
      }
      // Accept (or recognise a duplicate) before any delay, as a receiver that commits first would.
      if (key != null && accepted.putIfAbsent(key, body) != null) {
        duplicates.incrementAndGet();
      }
      Long slow = slowFirstMs.get(path);
      if (slow != null && n == 1) {
        Thread.sleep(slow);
      }
      byte[] ok = "a body the runner must not keep".getBytes();
      x.sendResponseHeaders(200, ok.length);
      x.getResponseBody().write(ok);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the runner gave up on this request (its read timeout)
    } finally {
      x.close();
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
