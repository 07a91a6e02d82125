package io.quackrunner.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.quackrunner.egress.AllowList;
import io.quackrunner.egress.Egress;
import io.quackrunner.egress.EgressAttempt;
import io.quackrunner.egress.EgressReport;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.limits.LimitsRequest;
import io.quackrunner.logs.LogListener;
import io.quackrunner.receipts.ExecutionReceipts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The egress network mode end to end: real sandboxes whose only way out is the runner's policy
 * proxy, and "outside" hosts in network namespaces this test makes (documentation and private
 * ranges, names from a hosts file given to the proxy). Each test names the defence it checks.
 */
class EgressIT {
  static ExecHarness h;
  static NetnsHosts net;
  static NetnsHosts.Host a;
  static NetnsHosts.Host b;
  static NetnsHosts.Host priv;
  static Path hostsFile;

  @BeforeAll
  static void open() throws Exception {
    h = new ExecHarness();
    net = new NetnsHosts(Files.createDirectories(h.state.resolve("netns")));
    a = net.start("web-a", "203.0.113.2", 8080, 8081);
    b = net.start("web-b", "198.51.100.2", 8080);
    priv = net.start("priv", "10.213.7.2", 8080);
    hostsFile = h.state.resolve("hosts");
    Files.writeString(
        hostsFile,
        """
        203.0.113.2 web-a.test mirror.pkg.test pkg.test
        198.51.100.2 web-b.test
        10.213.7.2 priv.test
        127.0.0.1 local.test
        169.254.169.254 meta.test
        """);
    System.setProperty("quackrunner.egress.hosts", hostsFile.toString());
  }

  @AfterAll
  static void close() throws Exception {
    System.clearProperty("quackrunner.egress.hosts");
    if (net != null) {
      net.close();
    }
  }

  @BeforeEach
  void clearLogs() throws Exception {
    for (NetnsHosts.Host x : List.of(a, b, priv)) {
      Files.write(x.log(), new byte[0]); // the server appends to it (O_APPEND): truncate in place
    }
  }

  static Egress allow(String... entries) {
    return Egress.of(AllowList.parse(List.of(entries), ErrorKind.USAGE));
  }

  static ExecutionResult run(Egress egress, String script) {
    return h.executor.execute(
        new ExecRequest(
            null,
            List.of("sh", "-c", script),
            "python-3.11",
            null,
            h.newOut(),
            Map.of(),
            LimitsRequest.DEFAULTS,
            List.of(),
            egress),
        LogListener.NONE);
  }

  static Map<String, String> reasons(EgressReport r) {
    return r.refusals().stream()
        .collect(
            Collectors.toMap(
                x -> x.method() + " " + x.host() + ":" + x.port(),
                EgressAttempt::reason,
                (x, y) -> x));
  }

  @Test
  void anAllowedHostAnswersCurlAndPythonAndTheReceiptNamesWhatTheHostSaw() throws Exception {
    ExecutionResult r =
        run(
            allow("web-a.test:8080"),
            """
            curl -sS -m 20 http://web-a.test:8080/one
            curl -sS -m 20 -p http://web-a.test:8080/two
            python3 -c 'import urllib.request as u; print(u.urlopen("http://web-a.test:8080/three", timeout=20).read().decode(), end="")'
            """);
    assertThat(ExecHarness.stdout(r)).isEqualTo("web-a:8080\nweb-a:8080\nweb-a:8080\n");
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    // What the host saw: three requests from the host side of its veth, by name.
    assertThat(a.requests())
        .containsExactly(
            "8080 203.0.113.1 GET /one web-a.test:8080",
            "8080 203.0.113.1 GET /two web-a.test:8080",
            "8080 203.0.113.1 GET /three web-a.test:8080");
    EgressReport report = r.egress();
    assertThat(report.allow()).containsExactly("web-a.test:8080");
    assertThat(report.attempts())
        .extracting(EgressAttempt::method)
        .containsExactly("GET", "CONNECT", "GET");
    var dest = report.destinations();
    assertThat(dest).hasSize(1);
    assertThat(dest.get(0).host()).isEqualTo("web-a.test");
    assertThat(dest.get(0).address()).isEqualTo("203.0.113.2");
    assertThat(dest.get(0).connections()).isEqualTo(a.requests().size());
    assertThat(dest.get(0).bytesReceived()).isGreaterThan(3 * "web-a:8080\n".length());
    // The receipt and runner.meta.json carry the same provenance; egress.jsonl every attempt.
    var network = ExecutionReceipts.predicate(r, "t", null).network();
    assertThat(network.mode()).isEqualTo("egress");
    assertThat(network.allow()).containsExactly("web-a.test:8080");
    assertThat(network.destinations()).isEqualTo(dest);
    assertThat(network.refusedCount()).isZero();
    String meta = Files.readString(r.outDir().resolve("reports/runner.meta.json"));
    assertThat(meta).contains("\"network\"").contains("\"address\" : \"203.0.113.2\"");
    assertThat(Files.readAllLines(r.outDir().resolve(Executor.EGRESS_LOG))).hasSize(3);
    assertThat(Files.readString(r.outDir().resolve("sha256sums.txt")))
        .contains(Executor.EGRESS_LOG);
  }

  @Test
  void everyRefusalIsRefusedWithItsReasonInTheToolsOutputAndTheRecord() throws Exception {
    ExecutionResult r =
        run(
            allow("web-a.test:8080", "priv.test:8080", "local.test:3128", "meta.test:80"),
            """
            curl -sS -m 20 http://web-b.test:8080/not-listed
            curl -sS -m 20 http://web-a.test:8081/other-port
            curl -sS -m 20 http://203.0.113.2:8080/literal
            curl -sS -m 20 http://priv.test:8080/private
            curl -sS -m 20 http://meta.test/latest/meta-data
            curl -sS -m 20 --noproxy '' -p -x http://127.0.0.1:3128 http://127.0.0.1:3128/self
            echo "self rc=$?"
            curl -sS -m 20 --noproxy '' -p http://local.test:3128/self-by-name
            echo "self-by-name rc=$?"
            """);
    String out = ExecHarness.stdout(r);
    assertThat(out)
        .contains("quackrunner egress refused web-b.test:8080: not in the allow-list")
        .contains("quackrunner egress refused web-a.test:8081: not in the allow-list")
        .contains("quackrunner egress refused 203.0.113.2:8080: not in the allow-list")
        .contains("refused priv.test:8080: resolves to a private address 10.213.7.2")
        .contains("refused meta.test:80: resolves to a link-local (metadata service) address")
        .contains("self rc=56")
        .contains("self-by-name rc=56");
    assertThat(ExecHarness.stderr(r)).contains("CONNECT tunnel failed, response 403");
    Map<String, String> why = reasons(r.egress());
    assertThat(why)
        .containsEntry("GET web-b.test:8080", "not in the allow-list")
        .containsEntry("GET web-a.test:8081", "not in the allow-list")
        .containsEntry("GET 203.0.113.2:8080", "not in the allow-list")
        .containsEntry("GET priv.test:8080", "resolves to a private address 10.213.7.2")
        .containsEntry("CONNECT 127.0.0.1:3128", "not in the allow-list")
        .containsEntry("CONNECT local.test:3128", "resolves to a loopback address 127.0.0.1");
    assertThat(why.get("GET meta.test:80")).contains("metadata service");
    assertThat(r.egress().destinations()).isEmpty();
    assertThat(ExecutionReceipts.predicate(r, "t", null).network().refusedCount()).isEqualTo(7);
    // No refused attempt reached a host: the listed host's other port and the private host too.
    assertThat(a.requests()).isEmpty();
    assertThat(b.requests()).isEmpty();
    assertThat(priv.requests()).isEmpty();
  }

  @Test
  void aPrivateAddressListedLiterallyIsReachable() throws Exception {
    ExecutionResult r = run(allow("10.213.7.2:8080"), "curl -sS -m 20 http://10.213.7.2:8080/ok");
    assertThat(ExecHarness.stdout(r)).isEqualTo("priv:8080\n");
    assertThat(priv.requests()).hasSize(1);
  }

  @Test
  void aProgramThatIgnoresTheProxyHasNoRouteAndDnsReachesNothing() throws Exception {
    ExecutionResult r =
        run(
            allow("web-a.test:8080"),
            """
            python3 - <<'EOF'
            import socket
            def attempt(what, f):
                try:
                    f(); print(what, 'ok')
                except OSError as e:
                    print(what, type(e).__name__, e.errno)
            attempt('tcp', lambda: socket.create_connection(('203.0.113.2', 8080), timeout=5))
            attempt('tcp-gw', lambda: socket.create_connection(('203.0.113.1', 22), timeout=5))
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            attempt('dns-udp', lambda: u.sendto(b'\\0' * 12, ('203.0.113.1', 53)))
            attempt('resolve', lambda: socket.getaddrinfo('web-a.test', 8080))
            attempt('packet', lambda: socket.socket(17, socket.SOCK_RAW, 0))
            print('devices', sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]))
            EOF
            curl -sS -m 10 --noproxy '*' http://203.0.113.2:8080/direct; echo "direct rc=$?"
            """);
    String out = ExecHarness.stdout(r);
    assertThat(out)
        .contains("tcp OSError 101") // ENETUNREACH: the namespace has no route out
        .contains("tcp-gw OSError 101")
        .contains("dns-udp OSError 101")
        .contains("resolve gaierror")
        .contains("packet OSError 97") // EAFNOSUPPORT: the tool's seccomp filter is intact
        .contains("devices ['lo']")
        .contains("direct rc=7");
    assertThat(r.egress().attempts()).isEmpty();
    assertThat(a.requests()).isEmpty();
  }

  @Test
  void aWildcardAllowsSubdomainsButNotTheDomainItself() throws Exception {
    ExecutionResult r =
        run(
            allow("*.pkg.test:8080"),
            """
            curl -sS -m 20 http://mirror.pkg.test:8080/sub
            curl -sS -m 20 http://pkg.test:8080/apex
            curl -sS -m 20 http://mirror.pkg.test.:8080/dot
            """);
    String out = ExecHarness.stdout(r);
    assertThat(out).contains("web-a:8080").contains("refused pkg.test:8080: not in the allow-list");
    assertThat(a.requests()).extracting(l -> l.split(" ")[3]).containsExactly("/sub", "/dot");
  }

  @Test
  void theConnectionCapRefusesTheAttemptPastIt() throws Exception {
    ExecutionResult r =
        run(
            new Egress(AllowList.parse(List.of("web-a.test:8080"), ErrorKind.USAGE), 2, 1L << 20),
            "for i in 1 2 3; do curl -sS -m 20 http://web-a.test:8080/$i; done");
    assertThat(ExecHarness.stdout(r))
        .contains("refused web-a.test:8080: connection cap of 2 reached");
    assertThat(a.requests()).hasSize(2);
    assertThat(reasons(r.egress()))
        .containsEntry("GET web-a.test:8080", "connection cap of 2 reached");
  }

  @Test
  void theByteCapClosesATunnelThatPassesIt() throws Exception {
    long cap = 20_000;
    ExecutionResult r =
        run(
            new Egress(AllowList.parse(List.of("web-a.test:8080"), ErrorKind.USAGE), 64, cap),
            "curl -sS -m 30 -p -o /workspace/out/big http://web-a.test:8080/big/2000000; echo rc=$?");
    assertThat(ExecHarness.stdout(r)).doesNotContain("rc=0");
    EgressAttempt t = r.egress().attempts().get(0);
    assertThat(t.reason()).contains("byte cap of 20000 reached");
    long relayed = t.bytesSent() + t.bytesReceived();
    // At most one read buffer past the cap; far from the 2 MB the host would have sent.
    assertThat(relayed).isGreaterThan(cap).isLessThan(cap + 64 * 1024);
    Path big = r.outDir().resolve("big");
    assertThat(Files.exists(big) ? Files.size(big) : 0).isLessThan(cap + 64 * 1024);
  }

  @Test
  void twoConcurrentRunsCannotUseEachOthersAllowList() throws Exception {
    String script =
        """
        for i in 1 2 3 4; do
          curl -sS -m 20 http://web-a.test:8080/$R
          curl -sS -m 20 http://web-b.test:8080/$R
          curl -sS -m 20 --unix-socket /run/quackrunner/proxy.sock http://web-b.test:8080/sock-$R
          curl -sS -m 20 --unix-socket /run/quackrunner/proxy.sock http://web-a.test:8080/sock-$R
          sleep 0.5
        done
        """;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    ExecutionResult ra;
    ExecutionResult rb;
    try {
      Future<ExecutionResult> onlyA =
          pool.submit(() -> run(allow("web-a.test:8080"), "R=ra\n" + script));
      Future<ExecutionResult> onlyB =
          pool.submit(() -> run(allow("web-b.test:8080"), "R=rb\n" + script));
      ra = onlyA.get();
      rb = onlyB.get();
    } finally {
      pool.shutdown();
    }
    // They ran at the same time, each with its own proxy.
    assertThat(ra.startedAt()).isBefore(rb.finishedAt());
    assertThat(rb.startedAt()).isBefore(ra.finishedAt());
    assertThat(a.requests().stream().filter(l -> l.contains("rb"))).isEmpty();
    assertThat(b.requests().stream().filter(l -> l.contains("ra"))).isEmpty();
    assertThat(a.requests().stream().filter(l -> l.contains("/ra") || l.contains("sock-ra")))
        .hasSize(8);
    assertThat(b.requests().stream().filter(l -> l.contains("/rb") || l.contains("sock-rb")))
        .hasSize(8);
    assertThat(ExecHarness.stdout(ra)).contains("refused web-b.test:8080");
    assertThat(ExecHarness.stdout(rb)).contains("refused web-a.test:8080");
    assertThat(ra.egress().destinations()).extracting(d -> d.host()).containsExactly("web-a.test");
    assertThat(rb.egress().destinations()).extracting(d -> d.host()).containsExactly("web-b.test");
  }
}
