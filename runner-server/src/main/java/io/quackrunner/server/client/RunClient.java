package io.quackrunner.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A client of the QuackRunner HTTP API for {@code runner run TOOL VERB [--input FILE]… [--param
 * K=V]… [--server URL]}: uploads the inputs, submits the run, prints its live logs, then its
 * result, and downloads its artifacts.
 */
public final class RunClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI server;
  private final String token;
  private final PrintStream out;
  private final PrintStream err;
  private String callback;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /**
   * Creates a client.
   *
   * @param server the server's base URI, e.g. {@code http://127.0.0.1:8080}
   * @param token the Bearer token
   * @param out receives the run's stdout lines
   * @param err receives the run's stderr lines and the summary
   */
  public RunClient(URI server, String token, PrintStream out, PrintStream err) {
    this.server = server;
    this.token = token;
    this.out = out;
    this.err = err;
  }

  /**
   * Runs a tool through the server and waits for the end; artifacts go to {@code downloadDir/<run
   * id>/}. Same as {@link #run(String, String, List, Map, Path, Path, String)} with no {@code
   * output}.
   */
  public int run(
      String tool,
      String verb,
      List<Path> inputs,
      Map<String, String> params,
      Path downloadDir,
      String idempotencyKey) {
    return run(tool, verb, inputs, params, downloadDir, null, idempotencyKey, null);
  }

  /**
   * Sends {@code url} as the requests' {@code callback}: the server POSTs each run's signed receipt
   * there when it ends (docs/SERVER.md, "Callbacks").
   *
   * @return this client
   */
  public RunClient callback(String url) {
    this.callback = url;
    return this;
  }

  /**
   * Runs a tool with a signed trigger ({@code runner trigger sign}) attached as {@code trigger};
   * artifacts go to {@code downloadDir/<run id>/}.
   */
  public int run(
      String tool,
      String verb,
      List<Path> inputs,
      Map<String, String> params,
      Path downloadDir,
      String idempotencyKey,
      JsonNode trigger) {
    return run(tool, verb, inputs, params, downloadDir, null, idempotencyKey, trigger);
  }

  /**
   * Runs a tool through the server and waits for the end.
   *
   * <p>The artifacts are written into the output directory (an existing file is kept only when it
   * holds the same bytes; nothing is overwritten), the signed receipt beside it as {@code
   * <dir>.receipt.dsse.json}, and the verifier key the server's {@code GET /keys} gave for the
   * receipt's key id as {@code <dir>.key}. Every download is checked (HTTP status, size, SHA-256
   * from the RunResult) before it is renamed into place.
   *
   * @param tool {@code name} or {@code name@version}; without a version the tool must have exactly
   *     one
   * @param verb the verb
   * @param inputs files uploaded as inputs, each named by its file name
   * @param params parameters as text; converted to integers, numbers or booleans where the verb's
   *     schema says so
   * @param downloadDir the output directory is {@code downloadDir/<run id>}; null (with a null
   *     {@code output}) downloads nothing
   * @param output the output directory itself, or null
   * @param idempotencyKey an idempotency key, or null
   * @param trigger a signed trigger JSON ({@code runner trigger sign}) sent as {@code trigger}, or
   *     null
   * @return the exit code: 0 on success, the tool's exit code on failure, 124 on timeout, 125 for
   *     any other failure, {@code 128 + signal} for a signal
   * @throws RunnerException with the problem's kind and detail when the server refuses the request,
   *     UNAVAILABLE when it cannot be reached, CONFLICT naming every file that could not be
   *     downloaded and kept
   */
  public int run(
      String tool,
      String verb,
      List<Path> inputs,
      Map<String, String> params,
      Path downloadDir,
      Path output,
      String idempotencyKey,
      JsonNode trigger) {
    try {
      String name = tool;
      String version = null;
      int at = tool.indexOf('@');
      if (at > 0) {
        name = tool.substring(0, at);
        version = tool.substring(at + 1);
      }
      JsonNode toolDef = toolDefinition(name, version);
      ObjectNode req = JSON.createObjectNode();
      req.put("tool", name);
      req.put("version", toolDef.get("version").asText());
      req.put("verb", verb);
      ArrayNode in = req.putArray("inputs");
      for (Path p : inputs) {
        HttpRequest.BodyPublisher file;
        try {
          file = HttpRequest.BodyPublishers.ofFile(p);
        } catch (java.io.FileNotFoundException e) {
          throw new RunnerException(ErrorKind.NOT_FOUND, "no input file " + p);
        }
        JsonNode stored = send("POST", "/inputs", file, "application/octet-stream");
        in.addObject()
            .put("name", p.getFileName().toString())
            .put("sha256", stored.get("sha256").asText());
      }
      ObjectNode ps = req.putObject("params");
      JsonNode schema = toolDef.path("verbs").path(verb).path("params").path("properties");
      for (Map.Entry<String, String> e : params.entrySet()) {
        ps.set(
            e.getKey(), typed(e.getValue(), schema.path(e.getKey()).path("type").asText("string")));
      }
      if (idempotencyKey != null) {
        req.put("idempotency_key", idempotencyKey);
      }
      if (trigger != null) {
        req.set("trigger", trigger);
      }
      if (callback != null) {
        req.put("callback", callback);
      }
      JsonNode run =
          send(
              "POST",
              "/runs",
              HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(req)),
              "application/json");
      String id = run.get("id").asText();
      err.println("run " + id + " " + run.get("status").asText());
      follow(id);
      JsonNode result = get("/runs/" + id);
      summarize(result);
      Path dir = output != null ? output : downloadDir == null ? null : downloadDir.resolve(id);
      if (dir != null) {
        download(id, result, dir);
      }
      return exitCode(result);
    } catch (IOException e) {
      throw new RunnerException(
          ErrorKind.UNAVAILABLE, "cannot reach " + server + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunnerException(ErrorKind.EXECUTION_FAILED, "interrupted");
    }
  }

  /** Downloads artifacts, receipt and key; throws CONFLICT listing every file not kept. */
  private void download(String id, JsonNode result, Path dir) throws InterruptedException {
    Downloads d = new Downloads(http, this::request, err);
    err.println("  artifacts in " + dir);
    d.artifacts(result, dir);
    Path receiptFile = dir.resolveSibling(dir.getFileName() + ".receipt.dsse.json");
    byte[] receipt = null;
    if (!result.path("receipt").isNull()) {
      receipt = bytes(d, "receipt", "/runs/" + id + "/receipt");
      if (receipt != null && d.keep("receipt", receiptFile, receipt)) {
        err.println("  receipt " + receiptFile);
      } else {
        receipt = null;
      }
    } else {
      d.failed("receipt: run " + id + " has no receipt");
    }
    if (receipt != null) {
      saveKey(d, receipt, dir.resolveSibling(dir.getFileName() + ".key"));
    }
    List<String> failures = d.failures();
    for (String f : failures) {
      err.println("  not downloaded: " + f);
    }
    if (!failures.isEmpty()) {
      throw new RunnerException(
          ErrorKind.CONFLICT,
          failures.size() + " file(s) of run " + id + " not downloaded, first: " + failures.get(0));
    }
  }

  /** Saves the verifier key that {@code GET /keys} lists for the receipt's signature key id. */
  private void saveKey(Downloads d, byte[] receipt, Path target) throws InterruptedException {
    String keyId;
    try {
      keyId = JSON.readTree(receipt).path("signatures").path(0).path("keyid").asText("");
    } catch (IOException e) {
      d.failed("receipt: not a DSSE envelope");
      return;
    }
    byte[] keys = bytes(d, "key", "/keys");
    if (keys == null) {
      return;
    }
    try {
      for (JsonNode k : JSON.readTree(keys).path("keys")) {
        if (k.path("key_id").asText().equals(keyId)) {
          String text = k.path("verifier_key").asText() + "\n";
          if (d.keep("key", target, text.getBytes(StandardCharsets.UTF_8))) {
            err.println(
                "  key "
                    + target
                    + " ("
                    + k.path("status").asText()
                    + " key "
                    + keyId
                    + ", as served by "
                    + server.resolve("/keys")
                    + "; pin a key obtained out of band, e.g. `runner keys show` on the server)");
          }
          return;
        }
      }
    } catch (IOException e) {
      d.failed("key: GET /keys did not answer JSON");
      return;
    }
    d.failed("key: GET /keys lists no key " + keyId);
  }

  private byte[] bytes(Downloads d, String what, String path) throws InterruptedException {
    try {
      HttpResponse<byte[]> r =
          http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        d.failed(what + ": HTTP " + r.statusCode() + " from " + path);
        return null;
      }
      return r.body();
    } catch (IOException e) {
      d.failed(what + ": download failed: " + e.getMessage());
      return null;
    }
  }

  private JsonNode toolDefinition(String name, String version)
      throws IOException, InterruptedException {
    for (JsonNode t : get("/tools").path("tools")) {
      if (!t.get("name").asText().equals(name)) {
        continue;
      }
      JsonNode vs = t.get("versions");
      if (version == null) {
        if (vs.size() != 1) {
          throw new RunnerException(
              ErrorKind.USAGE,
              "tool " + name + " has " + vs.size() + " versions; name one as " + name + "@VERSION");
        }
        return vs.get(0);
      }
      for (JsonNode v : vs) {
        if (v.get("version").asText().equals(version)) {
          return v;
        }
      }
      throw new RunnerException(ErrorKind.USAGE, "unknown version " + version + " of tool " + name);
    }
    throw new RunnerException(ErrorKind.USAGE, "unknown tool " + name);
  }

  private static JsonNode typed(String v, String type) {
    try {
      return switch (type) {
        case "integer" -> JSON.getNodeFactory().numberNode(Long.parseLong(v));
        case "number" -> JSON.getNodeFactory().numberNode(new java.math.BigDecimal(v));
        case "boolean" -> {
          if (!v.equals("true") && !v.equals("false")) {
            throw new NumberFormatException();
          }
          yield JSON.getNodeFactory().booleanNode(Boolean.parseBoolean(v));
        }
        default -> JSON.getNodeFactory().textNode(v);
      };
    } catch (NumberFormatException e) {
      throw new RunnerException(ErrorKind.USAGE, "parameter value '" + v + "' is not a " + type);
    }
  }

  private void follow(String id) throws IOException, InterruptedException {
    HttpResponse<java.io.InputStream> r =
        http.send(
            request("/runs/" + id + "/logs?follow=true").GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw problem(r.statusCode(), new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
    }
    try (BufferedReader b =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String event = null;
      String line;
      while ((line = b.readLine()) != null) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          String data = line.substring(6);
          switch (event == null ? "" : event) {
            case "stdout" -> out.println(data);
            case "stderr" -> err.println(data);
            case "end" -> {
              out.flush();
              return;
            }
            default -> {}
          }
        }
      }
    }
  }

  private void summarize(JsonNode r) {
    StringBuilder s =
        new StringBuilder("run ")
            .append(r.get("id").asText())
            .append(' ')
            .append(r.get("status").asText());
    if (!r.path("exit_code").isNull()) {
      s.append(" exit ").append(r.get("exit_code").asInt());
    }
    if (!r.path("error").isNull()) {
      s.append(": ").append(r.path("error").path("detail").asText());
    }
    err.println(s);
    for (JsonNode a : r.path("artifacts")) {
      err.println(
          "  "
              + a.get("path").asText()
              + "  "
              + a.get("size").asLong()
              + " bytes  sha256:"
              + a.get("sha256").asText());
    }
  }

  private static int exitCode(JsonNode r) {
    String status = r.get("status").asText();
    JsonNode code = r.path("exit_code");
    JsonNode signal = r.path("signal");
    return switch (status) {
      case "SUCCEEDED" -> 0;
      case "TIMED_OUT" -> 124;
      case "LIMIT_EXCEEDED", "CANCELLED", "INTERRUPTED" ->
          128 + (signal.isInt() ? signal.asInt() : 9);
      case "FAILED" -> code.isInt() && code.asInt() != 0 ? code.asInt() : 125;
      default -> 125;
    };
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return send("GET", path, HttpRequest.BodyPublishers.noBody(), null);
  }

  private JsonNode send(String method, String path, HttpRequest.BodyPublisher body, String type)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path).method(method, body);
    if (type != null) {
      b.header("Content-Type", type);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 400) {
      throw problem(r.statusCode(), r.body());
    }
    return JSON.readTree(r.body());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.resolve(path)).header("Authorization", "Bearer " + token);
  }

  private static RunnerException problem(int status, String body) {
    ErrorKind kind = ErrorKind.INTERNAL;
    String detail = "HTTP " + status;
    try {
      JsonNode p = JSON.readTree(body);
      String slug = p.path("kind").asText("");
      for (ErrorKind k : ErrorKind.values()) {
        if (k.slug().equals(slug)) {
          kind = k;
        }
      }
      detail = p.path("detail").asText(detail);
    } catch (IOException e) {
      // not a problem document; the status says enough
    }
    return new RunnerException(kind, detail);
  }
}
