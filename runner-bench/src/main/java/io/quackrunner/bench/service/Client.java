package io.quackrunner.bench.service;

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
import java.util.function.Consumer;

/** A plain HTTP client of one tenant on loopback ({@code java.net.http}, HTTP/1.1). */
final class Client {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final URI base;
  private final String token;

  Client(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /** POSTs a RunRequest and returns the answer's JSON; throws unless it is a 200 or 202. */
  JsonNode post(String path, String json) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            req(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 && r.statusCode() != 202) {
      throw new IOException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  int delete(String path) throws IOException, InterruptedException {
    return http.send(req(path).DELETE().build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    return JSON.readTree(
        http.send(req(path).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
  }

  /** Follows a run's logs over SSE, handing each {@code data:} line of stdout to {@code onLine}. */
  void follow(String id, Consumer<String> onLine) throws IOException, InterruptedException {
    HttpResponse<InputStream> r =
        http.send(
            req("/runs/" + id + "/logs?follow=true&stream=stdout").GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader b =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String l;
      boolean stdout = false;
      while ((l = b.readLine()) != null) {
        if (l.startsWith("event: ")) {
          stdout = l.equals("event: stdout");
        } else if (stdout && l.startsWith("data: ")) {
          onLine.accept(l.substring(6));
        }
      }
    }
  }

  private HttpRequest.Builder req(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(Duration.ofSeconds(600))
        .header("Authorization", "Bearer " + token);
  }
}
