package io.quackrunner.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** TLS by configuration: a keystore made with the JDK's keytool, served and trusted for real. */
class TlsIT {
  @Test
  void theServerSpeaksTlsWithTheConfiguredKey() throws Exception {
    Path state = TestApi.newStateDir();
    Path ks = state.resolve("server.p12");
    Path pw = state.resolve("password");
    Files.writeString(pw, "changeit-" + System.nanoTime() + "\n");
    String password = Files.readAllLines(pw).get(0);
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    keytool,
                    "-genkeypair",
                    "-alias",
                    "server",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "SAN=ip:127.0.0.1,dns:localhost",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    ks.toString(),
                    "-storepass",
                    password))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();

    ServerOptions o = TestApi.options(state, 1, 4);
    ServerOptions tls =
        new ServerOptions(
            o.port(),
            o.bind(),
            o.stateDir(),
            o.registry(),
            o.tokens(),
            o.limits(),
            o.concurrency(),
            o.queue(),
            o.maxBodyBytes(),
            o.maxInputBytes(),
            ks,
            pw);
    try (GatewayServer g = TestApi.start(tls)) {
      assertThat(g.uri().getScheme()).isEqualTo("https");
      KeyStore trust = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(ks)) {
        trust.load(in, password.toCharArray());
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      HttpClient trusting = HttpClient.newBuilder().sslContext(ctx).build();
      URI health = g.uri().resolve("/healthz");
      HttpResponse<String> r =
          trusting.send(
              HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      // A client that does not trust the key refuses the connection: it is really TLS.
      HttpClient plain = HttpClient.newHttpClient();
      assertThatThrownBy(
              () ->
                  plain.send(
                      HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }
}
