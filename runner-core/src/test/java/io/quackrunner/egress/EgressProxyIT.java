package io.quackrunner.egress;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.quackrunner.errors.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy proxy on its own, without a sandbox: a real Jetty proxy on a UNIX socket, a real HTTP
 * server on loopback, a resolver the test controls. What the sandbox tests cannot steer: the answer
 * a name gives from one lookup to the next.
 */
class EgressProxyIT {
  @TempDir Path dir;
  HttpServer server;
  int port;
  final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 16);
    server.createContext(
        "/",
        ex -> {
          seen.add(
              ex.getRequestMethod()
                  + " "
                  + ex.getRequestURI()
                  + " "
                  + ex.getRequestHeaders().getFirst("Host"));
          byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    port = server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  /** A resolver that answers 127.0.0.1 the first time and 127.0.0.2 every time after. */
  static final class Rebinding implements EgressResolver {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public List<InetAddress> resolve(String name) {
      return List.of(
          InetAddress.ofLiteral(calls.incrementAndGet() == 1 ? "127.0.0.1" : "127.0.0.2"));
    }
  }

  private EgressProxy open(EgressResolver resolver, String... allow) throws IOException {
    EgressProxy p =
        new EgressProxy(
            new EgressPolicy(
                Egress.of(AllowList.parse(List.of(allow), ErrorKind.USAGE)), resolver));
    p.open(dir.resolve("proxy.sock"), 0);
    return p;
  }

  /** Sends raw bytes to the proxy's socket and returns everything it answers until it closes. */
  private String exchange(String request) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(dir.resolve("proxy.sock")));
      OutputStream out = Channels.newOutputStream(ch);
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = Channels.newInputStream(ch);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private String tunnel(String authority) throws IOException {
    return exchange(
        "CONNECT "
            + authority
            + " HTTP/1.1\r\nHost: "
            + authority
            + "\r\n\r\nGET /through HTTP/1.1\r\nHost: "
            + authority
            + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void aNameIsResolvedOnceAndTheProxyConnectsToThatAddressNotToALaterAnswer() throws IOException {
    Rebinding dns = new Rebinding();
    // 127.0.0.1 is listed literally, so the first answer may be used; 127.0.0.2 is not.
    EgressProxy p = open(dns, "rebind.test:" + port, "127.0.0.1:" + port);
    try {
      String first = tunnel("rebind.test:" + port);
      assertThat(first).startsWith("HTTP/1.1 200").contains("hello");
      // Jetty's own ConnectHandler would resolve again when connecting: the server (on 127.0.0.1
      // only) would then not be reached, and the resolver asked twice.
      assertThat(dns.calls).hasValue(1);
      assertThat(seen).containsExactly("GET /through rebind.test:" + port);

      String second = tunnel("rebind.test:" + port);
      assertThat(second)
          .startsWith("HTTP/1.1 403")
          .contains("quackrunner egress refused rebind.test:" + port)
          .contains("loopback address 127.0.0.2");
      assertThat(dns.calls).hasValue(2);
      assertThat(seen).hasSize(1);

      String plain =
          exchange(
              "GET http://rebind.test:"
                  + port
                  + "/plain HTTP/1.1\r\nHost: rebind.test:"
                  + port
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(plain).startsWith("HTTP/1.1 403").contains("127.0.0.2");
      EgressReport r = p.policy().report();
      assertThat(r.attempts())
          .extracting(EgressAttempt::outcome)
          .containsExactly("allowed", "refused", "refused");
      assertThat(r.attempts().get(0).address()).isEqualTo("127.0.0.1");
      assertThat(r.attempts().get(0).bytesReceived()).isGreaterThan(0);
    } finally {
      p.close();
    }
  }

  @Test
  void plainHttpGoesToTheDecidedAddressWithTheRequestedNameAsHost() throws IOException {
    EgressResolver dns = name -> List.of(InetAddress.ofLiteral("127.0.0.1"));
    EgressProxy p = open(dns, "web.test:" + port, "127.0.0.1:" + port);
    try {
      String r =
          exchange(
              "GET http://web.test:"
                  + port
                  + "/p?q=1 HTTP/1.1\r\nHost: web.test:"
                  + port
                  + "\r\nConnection: close\r\n\r\n");
      assertThat(r).startsWith("HTTP/1.1 200").contains("hello");
      assertThat(seen).containsExactly("GET /p?q=1 web.test:" + port);
      // A Host header naming another server than the absolute URI: Jetty's parser refuses it
      // (RFC 9112 §3.2.2) before any policy decision, so it never reaches anyone.
      String spoofed =
          exchange(
              "GET http://web.test:"
                  + port
                  + "/s HTTP/1.1\r\nHost: spoofed.test\r\nConnection: close\r\n\r\n");
      assertThat(spoofed).startsWith("HTTP/1.1 400");
      assertThat(seen).hasSize(1);
      assertThat(p.policy().report().attempts()).hasSize(1);
    } finally {
      p.close();
    }
  }

  @Test
  void originFormAndAConnectWithoutPortAreDecidedLikeAnyOtherAttempt() throws IOException {
    EgressProxy p = open(EgressResolver.system(), "web.test:" + port);
    try {
      // Origin form names its server in Host only; Jetty makes it the absolute URI, port 80.
      assertThat(exchange("GET / HTTP/1.1\r\nHost: web.test\r\nConnection: close\r\n\r\n"))
          .startsWith("HTTP/1.1 403")
          .contains("web.test:80: not in the allow-list");
      assertThat(exchange("CONNECT web.test HTTP/1.1\r\nHost: web.test\r\n\r\n"))
          .startsWith("HTTP/1.1 403");
      assertThat(seen).isEmpty();
    } finally {
      p.close();
    }
  }

  @Test
  void theSocketIsGoneAfterClose() throws IOException {
    EgressProxy p = open(EgressResolver.system(), "web.test:" + port);
    p.close();
    p.close();
    assertThat(Files.exists(dir.resolve("proxy.sock"))).isFalse();
  }
}
