package io.quackrunner.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.service.IdempotencyKeyReused;
import io.quackrunner.triggers.InvalidTrigger;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small helpers for reading and writing JSON, text and RFC 9457 problems over Jetty's core API. */
final class Http {
  /** Strict JSON: duplicate keys, trailing tokens and non-standard syntax are errors. */
  static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();

  static final String JSON_TYPE = "application/json";
  static final String PROBLEM_TYPE = "application/problem+json";

  private Http() {}

  /**
   * Reads a request body of at most {@code max} bytes.
   *
   * @throws RunnerException of kind TOO_LARGE past the limit
   */
  static byte[] body(Request req, long max) throws IOException {
    long declared = req.getLength();
    try (InputStream in = Content.Source.asInputStream(req)) {
      if (declared > max) {
        drain(in);
        throw new RunnerException(
            ErrorKind.TOO_LARGE, "request body of " + declared + " bytes exceeds " + max);
      }
      byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (b.length > max) {
        drain(in);
        throw new RunnerException(ErrorKind.TOO_LARGE, "request body exceeds " + max + " bytes");
      }
      return b;
    }
  }

  /**
   * Reads and drops what is left of a refused body (at most 64 MiB), so the client, still sending,
   * reads the problem instead of a reset connection.
   */
  static void drain(InputStream in) {
    try {
      long left = 64L << 20;
      byte[] buf = new byte[65536];
      int n;
      while (left > 0 && (n = in.read(buf)) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // the client went away; nothing to answer
    }
  }

  /**
   * Parses a strict JSON document.
   *
   * @throws RunnerException of kind BAD_JSON naming the first syntax problem
   */
  static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw new RunnerException(ErrorKind.BAD_JSON, "the request body is empty (expected JSON)");
    }
    try {
      JsonNode n = JSON.readTree(body);
      if (n == null || n.isMissingNode()) {
        throw new RunnerException(ErrorKind.BAD_JSON, "the request body is empty (expected JSON)");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new RunnerException(ErrorKind.BAD_JSON, "malformed JSON: " + jsonMessage(e));
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.BAD_JSON, "unreadable body");
    }
  }

  /** Writes a JSON body with a status. */
  static void json(Response resp, Callback cb, int status, Object body) throws IOException {
    send(resp, cb, status, JSON_TYPE, JSON.writeValueAsBytes(body));
  }

  /** Writes bytes with a status and content type. */
  static void send(Response resp, Callback cb, int status, String type, byte[] body) {
    resp.setStatus(status);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    resp.write(true, ByteBuffer.wrap(body), cb);
  }

  /** Writes a UTF-8 text body. */
  static void text(Response resp, Callback cb, int status, String type, String body) {
    send(resp, cb, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the RFC 9457 problem document for an error kind. */
  static Map<String, Object> problem(ErrorKind kind, int status, String detail, String instance) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("type", kind.typeUri());
    p.put("title", kind.title());
    p.put("status", status);
    p.put("detail", detail);
    if (instance != null) {
      p.put("instance", instance);
    }
    p.put("kind", kind.slug());
    return p;
  }

  /** Returns the problem document of a runner error, with its extension members. */
  static Map<String, Object> problem(RunnerException e, int status, String instance) {
    Map<String, Object> p = problem(e.kind(), status, e.getMessage(), instance);
    if (e instanceof IdempotencyKeyReused r) {
      p.put("original_run", "/runs/" + r.originalRunId());
    }
    if (e instanceof InvalidTrigger t) {
      p.put("reason", t.reason().slug());
      if (t.rejectedRun() != null) {
        p.put("rejected_run", "/runs/" + t.rejectedRun());
      }
    }
    return p;
  }

  /** Retry-After of a 503 UNAVAILABLE answer, in seconds. */
  static final String RETRY_UNAVAILABLE_S = "2";

  /** Writes an RFC 9457 problem for a runner error. */
  static void problem(Request req, Response resp, Callback cb, RunnerException e) {
    int status = e instanceof HttpProblem hp ? hp.status() : e.kind().httpStatus();
    if (e.kind() == ErrorKind.BUSY) {
      resp.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
    }
    if (e.kind() == ErrorKind.UNAVAILABLE) {
      // The database (or this node's lease) is down for a moment: RFC 9110 §10.2.3, in seconds.
      resp.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_UNAVAILABLE_S);
    }
    if (e.kind() == ErrorKind.UNAUTHENTICATED) {
      resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"quackrunner\"");
    }
    if (e instanceof HttpProblem hp) {
      hp.headers().forEach((k, v) -> resp.getHeaders().put(k, v));
    }
    String path = req == null ? null : Request.getPathInContext(req);
    try {
      send(resp, cb, status, PROBLEM_TYPE, JSON.writeValueAsBytes(problem(e, status, path)));
    } catch (IOException io) {
      cb.failed(io);
    }
  }

  static String title(ErrorKind kind) {
    return kind.title();
  }

  /**
   * Returns a JSON parser's message without the library's class and method names (Jackson names
   * {@code JsonNode} and {@code StreamReadConstraints} in some of its messages).
   */
  static String jsonMessage(com.fasterxml.jackson.core.JsonProcessingException e) {
    if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
      return "the JSON exceeds a parser limit (nesting depth, number or string length)";
    }
    String m = String.valueOf(e.getOriginalMessage());
    m = m.replaceAll("\\s*\\((?:[^()]|\\([^()]*\\))*`[^`]*`(?:[^()]|\\([^()]*\\))*\\)", "");
    m = m.replaceAll("`[^`]*`", "a value");
    m = m.replaceAll("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*", "a value");
    int nl = m.indexOf('\n');
    m = nl >= 0 ? m.substring(0, nl) : m;
    var loc = e.getLocation();
    return loc == null || loc.getLineNr() < 1
        ? m.strip()
        : m.strip() + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
  }
}
