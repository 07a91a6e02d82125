package io.quackrunner.server.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A real HTTP client of one tenant against a server on loopback. */
final class LoadApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String token;

  LoadApi(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  URI base() {
    return base;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(req(path).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return http.send(
        req(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Posts JSON with one more request header. */
  HttpResponse<String> post(String path, String json, String header, String value)
      throws IOException, InterruptedException {
    return http.send(
        req(path)
            .header("Content-Type", "application/json")
            .header(header, value)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A follow answered with something other than a 200 event stream. */
  static final class Refused extends IOException {
    final int status;
    final java.net.http.HttpHeaders headers;
    final String body;

    Refused(String id, int status, java.net.http.HttpHeaders headers, String body) {
      super("follow " + id + " answered " + status + ": " + body);
      this.status = status;
      this.headers = headers;
      this.body = body;
    }
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return http.send(req(path).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends a GET and returns its answer as a stream (for Server-Sent Events). */
  HttpResponse<InputStream> stream(String path) throws IOException, InterruptedException {
    return http.send(req(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  JsonNode run(String id) throws IOException, InterruptedException {
    return JSON.readTree(get("/runs/" + id).body());
  }

  /** Returns the in-toto statement inside a run's receipt envelope, or null when it has none. */
  JsonNode receiptStatement(String id) throws IOException, InterruptedException {
    HttpResponse<String> r = get("/runs/" + id + "/receipt");
    if (r.statusCode() != 200) {
      return null;
    }
    String payload = JSON.readTree(r.body()).get("payload").asText();
    return JSON.readTree(Base64.getDecoder().decode(payload));
  }

  /** Returns the ledger size of the latest checkpoint (its second line). */
  long ledgerSize() throws IOException, InterruptedException {
    String cp = get("/ledger/checkpoint").body();
    return Long.parseLong(cp.lines().skip(1).findFirst().orElseThrow());
  }

  /**
   * Follows a run's logs over SSE until the stream ends; returns the non-empty lines received
   * ({@code event: …}, {@code data: …}).
   *
   * @throws Refused when the answer is not a 200 (it carries the answer)
   */
  List<String> follow(String id) throws IOException, InterruptedException {
    HttpResponse<InputStream> r =
        http.send(
            req("/runs/" + id + "/logs?follow=true").GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      String body;
      try (InputStream in = r.body()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      throw new Refused(id, r.statusCode(), r.headers(), body);
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader b =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String l;
      while ((l = b.readLine()) != null) {
        if (!l.isEmpty() && !l.startsWith(":")) {
          lines.add(l);
        }
      }
    }
    return lines;
  }

  private HttpRequest.Builder req(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(120))
        .header("Authorization", "Bearer " + token);
  }
}
