package io.quackrunner.execution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * "Outside" hosts for egress tests: each one a network namespace of its own, joined to the host by
 * a veth pair, running a small HTTP server (python3) on the given ports that logs every request it
 * serves. Only documentation and private ranges are used; nothing leaves the machine.
 */
final class NetnsHosts implements AutoCloseable {
  /** One test host. */
  record Host(String name, String netns, String address, Path log, Process server) {
    /** Returns the lines the server logged: {@code PORT PEER METHOD PATH HOST}. */
    List<String> requests() throws IOException {
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }
  }

  private static final String SERVER =
      """
      import sys, threading, http.server
      log = open(sys.argv[1], 'a', buffering=1)
      name, addr, ports = sys.argv[2], sys.argv[3], sys.argv[4:]
      class H(http.server.BaseHTTPRequestHandler):
          protocol_version = 'HTTP/1.1'
          def do_GET(self):
              port = self.server.server_address[1]
              log.write('%d %s %s %s %s\\n' % (port, self.client_address[0], self.command,
                        self.path, self.headers.get('Host')))
              n = int(self.path[5:]) if self.path.startswith('/big/') else 0
              body = b'x' * n if n else ('%s:%d\\n' % (name, port)).encode()
              self.send_response(200)
              self.send_header('Content-Length', str(len(body)))
              self.end_headers()
              self.wfile.write(body)
          def log_message(self, *a):
              pass
      for p in ports:
          s = http.server.ThreadingHTTPServer((addr, int(p)), H)
          threading.Thread(target=s.serve_forever, daemon=True).start()
      open(sys.argv[1] + '.ready', 'w').close()
      threading.Event().wait()
      """;

  private final String prefix;
  private final Path dir;
  private final List<Host> hosts = new ArrayList<>();
  private int next;

  NetnsHosts(Path dir) throws IOException, InterruptedException {
    this.dir = dir;
    this.prefix = "qreg" + (ProcessHandle.current().pid() % 100000);
    Files.writeString(dir.resolve("server.py"), SERVER);
  }

  /**
   * Starts a host at {@code address} (the netns side of a /24 whose .1 is the host side).
   *
   * @param ports the TCP ports its HTTP server listens on
   */
  Host start(String name, String address, int... ports) throws IOException, InterruptedException {
    int i = next++;
    String ns = prefix + "-" + i;
    String outer = prefix + "o" + i;
    String inner = prefix + "i" + i;
    String gw = address.substring(0, address.lastIndexOf('.')) + ".1/24";
    sh("ip", "netns", "add", ns);
    sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner);
    sh("ip", "link", "set", inner, "netns", ns);
    sh("ip", "addr", "add", gw, "dev", outer);
    sh("ip", "link", "set", outer, "up");
    sh("ip", "-n", ns, "addr", "add", address + "/24", "dev", inner);
    sh("ip", "-n", ns, "link", "set", inner, "up");
    sh("ip", "-n", ns, "link", "set", "lo", "up");
    Path log = dir.resolve(name + ".log");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                ns,
                "/usr/bin/python3",
                dir.resolve("server.py").toString(),
                log.toString(),
                name,
                address));
    for (int p : ports) {
      cmd.add(Integer.toString(p));
    }
    Process server =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".out").toFile())
            .start();
    Host h = new Host(name, ns, address, log, server);
    hosts.add(h);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(Path.of(log + ".ready"))) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "test host "
                + name
                + " did not start: "
                + Files.readString(dir.resolve(name + ".out")));
      }
      Thread.sleep(50);
    }
    return h;
  }

  @Override
  public void close() throws Exception {
    for (Host h : hosts) {
      h.server().destroyForcibly().waitFor();
      run("ip", "netns", "del", h.netns()); // takes its end of the veth pair, and so the pair
    }
  }

  private static void sh(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + ": " + out);
    }
  }

  private static void run(String... argv) throws IOException, InterruptedException {
    new ProcessBuilder(argv).redirectErrorStream(true).start().waitFor();
  }
}
