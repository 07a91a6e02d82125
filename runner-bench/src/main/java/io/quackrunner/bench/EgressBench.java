package io.quackrunner.bench;

import com.sun.net.httpserver.HttpServer;
import io.quackrunner.egress.AllowList;
import io.quackrunner.egress.Egress;
import io.quackrunner.egress.EgressPolicy;
import io.quackrunner.egress.EgressProxy;
import io.quackrunner.egress.EgressResolver;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.execution.ExecRequest;
import io.quackrunner.execution.ExecutionResult;
import io.quackrunner.execution.Executor;
import io.quackrunner.limits.LimitsPolicy;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import io.quackrunner.runtime.RuntimeProfiles;
import io.quackrunner.sandbox.BubblewrapSandbox;
import io.quackrunner.sandbox.SandboxConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Latency the egress policy proxy adds per connection, printed as p50/p95/p99 in milliseconds.
 *
 * <p>A connection is: connect, (CONNECT and its 200, through the proxy), one {@code GET} and the
 * whole response until the server closes. The server is the JDK's HTTP server on the host's
 * 127.0.0.1 (listed literally, so the proxy may reach it). Cases, interleaved per round: a Java
 * client straight to the server; the same through the proxy's UNIX socket, as CONNECT and as a
 * plain-HTTP GET; then, in one real sandbox, a Python client through the launcher's bridge
 * (127.0.0.1:3128 inside) and the proxy, against the same Python client run on the host straight to
 * the server.
 *
 * <p>Usage: {@code bin/bench egress [ROUNDS]} (default 300). Needs root, like the runner.
 */
public final class EgressBench {
  private EgressBench() {}

  private static final String CLIENT =
      """
      import socket, sys, time
      mode, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
      req = b"GET / HTTP/1.1\\r\\nHost: %s:%d\\r\\nConnection: close\\r\\n\\r\\n" % (host.encode(), port)
      for i in range(n):
          t = time.perf_counter_ns()
          if mode == "direct":
              s = socket.create_connection((host, port))
          else:
              s = socket.create_connection(("127.0.0.1", 3128))
              s.sendall(b"CONNECT %s:%d HTTP/1.1\\r\\nHost: %s:%d\\r\\n\\r\\n" % (host.encode(), port, host.encode(), port))
              buf = b""
              while b"\\r\\n\\r\\n" not in buf:
                  buf += s.recv(4096)
              assert buf.startswith(b"HTTP/1.1 200"), buf
          s.sendall(req)
          while s.recv(65536):
              pass
          s.close()
          print(time.perf_counter_ns() - t)
      """;

  /** Runs the benchmark; args[0] is the number of rounds. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 128);
    byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/",
        ex -> {
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
    server.start();
    int port = server.getAddress().getPort();
    String target = "127.0.0.1:" + port;
    Egress egress =
        new Egress(AllowList.parse(List.of(target), ErrorKind.USAGE), 10 * rounds + 100, 1L << 40);

    Path state = Files.createTempDirectory("qr-bench-egress-");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx--x--x"));
    Path sock = state.resolve("proxy.sock");
    EgressProxy proxy = new EgressProxy(new EgressPolicy(egress, EgressResolver.system()));
    proxy.open(sock, 0);
    String get = "GET / HTTP/1.1\r\nHost: " + target + "\r\nConnection: close\r\n\r\n";
    String connect = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
    String plain =
        "GET http://" + target + "/ HTTP/1.1\r\nHost: " + target + "\r\nConnection: close\r\n\r\n";

    long[][] java = new long[3][rounds];
    for (int r = -50; r < rounds; r++) { // 50 warm-up rounds
      long a = direct(port, get);
      long b = viaProxy(sock, connect + get);
      long c = viaProxy(sock, plain);
      if (r >= 0) {
        java[0][r] = a;
        java[1][r] = b;
        java[2][r] = c;
      }
    }
    proxy.close();

    Path script = state.resolve("client.py");
    Files.writeString(script, CLIENT);
    long[] hostPython = python("/usr/bin/python3", script.toString(), "direct", port, rounds);
    SandboxConfig cfg = SandboxConfig.standard(state);
    Executor executor =
        new Executor(
            BubblewrapSandbox.open(cfg), cfg, RuntimeProfiles.builtIn(), LimitsPolicy.builtIn());
    Path in = Files.createDirectories(state.resolve("in"));
    Files.copy(script, in.resolve("client.py"));
    ExecutionResult run =
        executor.execute(
            new ExecRequest(
                null,
                List.of(
                    "python3",
                    "/workspace/in/client.py",
                    "proxy",
                    "127.0.0.1",
                    Integer.toString(port),
                    Integer.toString(rounds + 50)),
                "python-3.11",
                in,
                state.resolve("out"),
                Map.of(),
                LimitsRequest.DEFAULTS,
                List.of(),
                egress),
            LogListener.NONE);
    long[] sandboxPython =
        tail(
            Files.readAllLines(run.stdout().file()).stream().mapToLong(Long::parseLong).toArray(),
            rounds);
    server.stop(0);

    System.out.printf(
        "egress proxy latency per connection (connect + GET + response), %d rounds, load %s%n",
        rounds, Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    System.out.printf("%-52s %8s %8s %8s%n", "case", "p50 ms", "p95 ms", "p99 ms");
    row("java, direct to 127.0.0.1", java[0]);
    row("java, proxy UNIX socket, CONNECT tunnel", java[1]);
    row("java, proxy UNIX socket, plain GET", java[2]);
    row("python on the host, direct", hostPython);
    row("python in a sandbox, bridge + proxy, CONNECT", sandboxPython);
    Stats d = new Stats(java[0]);
    Stats t = new Stats(java[1]);
    Stats p = new Stats(java[2]);
    Stats hp = new Stats(hostPython);
    Stats sp = new Stats(sandboxPython);
    System.out.printf(
        "added p50: proxy CONNECT %.2f ms, proxy plain GET %.2f ms, bridge+proxy from a sandbox %.2f ms%n",
        t.percentileMs(50) - d.percentileMs(50),
        p.percentileMs(50) - d.percentileMs(50),
        sp.percentileMs(50) - hp.percentileMs(50));
    System.exit(0);
  }

  private static void row(String name, long[] nanos) {
    Stats s = new Stats(nanos);
    System.out.printf(
        "%-52s %8.2f %8.2f %8.2f%n",
        name, s.percentileMs(50), s.percentileMs(95), s.percentileMs(99));
  }

  private static long direct(int port, String request) throws Exception {
    long t = System.nanoTime();
    try (Socket s = new Socket(InetAddress.ofLiteral("127.0.0.1"), port)) {
      s.setTcpNoDelay(true);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      drain(s.getInputStream());
    }
    return System.nanoTime() - t;
  }

  private static long viaProxy(Path sock, String request) throws Exception {
    long t = System.nanoTime();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(sock));
      OutputStream out = Channels.newOutputStream(ch);
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      byte[] all = drain(Channels.newInputStream(ch));
      if (!new String(all, 0, Math.min(all.length, 12), StandardCharsets.US_ASCII)
          .startsWith("HTTP/1.1 200")) {
        throw new IllegalStateException(new String(all, StandardCharsets.UTF_8));
      }
    }
    return System.nanoTime() - t;
  }

  private static byte[] drain(InputStream in) throws Exception {
    return in.readAllBytes();
  }

  private static long[] python(String python, String script, String mode, int port, int rounds)
      throws Exception {
    Process p =
        new ProcessBuilder(
                python,
                script,
                mode,
                "127.0.0.1",
                Integer.toString(port),
                Integer.toString(rounds + 50))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(out);
    }
    return tail(
        Arrays.stream(out.strip().split("\n")).mapToLong(Long::parseLong).toArray(), rounds);
  }

  /** The last {@code n} samples (the first ones are the warm-up). */
  private static long[] tail(long[] all, int n) {
    if (all.length < n) {
      throw new IllegalStateException("only " + all.length + " samples");
    }
    return Arrays.copyOfRange(all, all.length - n, all.length);
  }
}
