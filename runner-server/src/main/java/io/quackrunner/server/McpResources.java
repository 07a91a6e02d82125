package io.quackrunner.server;

import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.quackrunner.artifacts.Artifact;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import io.quackrunner.service.Results;
import io.quackrunner.service.RunDetails;
import io.quackrunner.service.RunService;
import io.quackrunner.store.RunRecord;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A run's record, artifacts, logs and receipt as MCP resources under {@code quackrunner://runs/}:
 * the templates {@code quackrunner://runs/{id}}, {@code …/{id}/artifacts/{path}} (the path
 * percent-encoded as one segment, RFC 3986), {@code …/{id}/logs/{stream}} and {@code
 * …/{id}/receipt}. Reads are tenant-scoped (another tenant's run is "not found"), size-capped at
 * {@value #MAX_BYTES} bytes, and carry the media type; text/* and JSON come as text, the rest as
 * base64 blobs.
 */
final class McpResources {
  /** The largest resource a read returns, bytes. */
  static final long MAX_BYTES = 8L << 20;

  static final String PREFIX = "quackrunner://runs/";

  private McpResources() {}

  static String runUri(String id) {
    return PREFIX + id;
  }

  static String artifactUri(String id, String path) {
    return PREFIX + id + "/artifacts/" + UriPath.encodeSegment(path);
  }

  /**
   * Returns the resource links of a run: each artifact, both logs and (once issued) its receipt.
   */
  static List<McpSchema.Content> links(RunService service, RunRecord r) {
    List<McpSchema.Content> out = new ArrayList<>();
    RunDetails d = Results.read(r);
    if (d != null) {
      for (Artifact a : d.artifacts()) {
        out.add(
            McpSchema.ResourceLink.builder()
                .name(a.path())
                .uri(artifactUri(r.id(), a.path()))
                .mimeType(a.mediaType())
                .size(a.sizeBytes())
                .description("artifact, sha256 " + a.sha256())
                .build());
      }
    }
    for (String s : List.of("stdout", "stderr")) {
      out.add(
          McpSchema.ResourceLink.builder()
              .name(s)
              .uri(PREFIX + r.id() + "/logs/" + s)
              .mimeType("text/plain")
              .description("the run's stored " + s)
              .build());
    }
    if (r.receiptJson() != null) {
      out.add(
          McpSchema.ResourceLink.builder()
              .name("receipt")
              .uri(PREFIX + r.id() + "/receipt")
              .mimeType("application/json")
              .description("the signed receipt (DSSE envelope), ledger index " + r.ledgerIndex())
              .build());
    }
    return out;
  }

  static List<SyncResourceTemplateSpecification> templates(
      RunService service, Function<McpSyncServerExchange, String> tenantOf) {
    List<SyncResourceTemplateSpecification> out = new ArrayList<>();
    out.add(
        template(
            PREFIX + "{id}",
            "run",
            "A run as the API's RunResult (JSON)",
            "application/json",
            (ex, uri) -> {
              String[] p = parts(uri);
              RunRecord r = service.get(tenantOf.apply(ex), p[0]);
              return text(uri, "application/json", McpTools.json(RunJson.result(service, r)));
            }));
    out.add(
        template(
            PREFIX + "{id}/artifacts/{path}",
            "artifact",
            "A run's artifact; {path} is its path under out/, percent-encoded as one segment",
            null,
            (ex, uri) -> {
              String[] p = parts(uri);
              RunRecord r = service.get(tenantOf.apply(ex), p[0]);
              return artifact(service, r, uri, p);
            }));
    out.add(
        template(
            PREFIX + "{id}/logs/{stream}",
            "log",
            "The tail (at most 1 MiB) of a run's stored stdout or stderr",
            "text/plain",
            (ex, uri) -> {
              String[] p = parts(uri);
              RunRecord r = service.get(tenantOf.apply(ex), p[0]);
              if (p.length != 3 || !p[1].equals("logs")) {
                throw notFound(uri);
              }
              Map<String, Object> tail =
                  McpTools.logTail(service, r.id(), p[2], McpTools.MAX_LOG_BYTES);
              return text(uri, "text/plain", (String) tail.get("text"));
            }));
    out.add(
        template(
            PREFIX + "{id}/receipt",
            "receipt",
            "A run's signed receipt (DSSE envelope, JSON)",
            "application/json",
            (ex, uri) -> {
              String[] p = parts(uri);
              RunRecord r = service.get(tenantOf.apply(ex), p[0]);
              if (r.receiptJson() == null) {
                throw notFound(uri);
              }
              return text(uri, "application/json", r.receiptJson());
            }));
    return out;
  }

  private static McpSchema.ReadResourceResult artifact(
      RunService service, RunRecord r, String uri, String[] p) {
    if (p.length != 3 || !p[1].equals("artifacts")) {
      throw notFound(uri);
    }
    String path = URLDecoder.decode(p[2].replace("+", "%2B"), StandardCharsets.UTF_8);
    RunDetails d = Results.read(r);
    Artifact a =
        d == null
            ? null
            : d.artifacts().stream().filter(x -> x.path().equals(path)).findFirst().orElse(null);
    if (a == null) {
      throw notFound(uri);
    }
    if (a.sizeBytes() > MAX_BYTES) {
      throw McpTools.invalid(
          "artifact "
              + path
              + " has "
              + a.sizeBytes()
              + " bytes, more than a resource read's "
              + MAX_BYTES
              + "; download it from GET /runs/{id}/artifacts/{path}",
          ErrorKind.TOO_LARGE);
    }
    Path f = service.outDir(r.id()).resolve(path);
    byte[] data;
    try {
      if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
        throw notFound(uri);
      }
      data = Files.readAllBytes(f);
    } catch (IOException e) {
      throw McpTools.error(new RunnerException(ErrorKind.INTERNAL, "cannot read " + path));
    }
    String type = a.mediaType() == null ? "application/octet-stream" : a.mediaType();
    if (type.startsWith("text/") || type.equals("application/json")) {
      return text(uri, type, new String(data, StandardCharsets.UTF_8));
    }
    return new McpSchema.ReadResourceResult(
        List.of(
            new McpSchema.BlobResourceContents(
                uri, type, Base64.getEncoder().encodeToString(data))));
  }

  private static String[] parts(String uri) {
    if (!uri.startsWith(PREFIX)) {
      throw notFound(uri);
    }
    return uri.substring(PREFIX.length()).split("/", -1);
  }

  private static McpSchema.ReadResourceResult text(String uri, String type, String text) {
    return new McpSchema.ReadResourceResult(
        List.of(new McpSchema.TextResourceContents(uri, type, text)));
  }

  static McpError notFound(String uri) {
    return McpError.builder(McpSchema.ErrorCodes.RESOURCE_NOT_FOUND)
        .message("no resource " + uri)
        .data(Map.of("uri", uri))
        .build();
  }

  private interface Reader {
    McpSchema.ReadResourceResult read(McpSyncServerExchange ex, String uri);
  }

  private static SyncResourceTemplateSpecification template(
      String uriTemplate, String name, String description, String mime, Reader reader) {
    McpSchema.ResourceTemplate t =
        McpSchema.ResourceTemplate.builder()
            .uriTemplate(uriTemplate)
            .name(name)
            .description(description)
            .mimeType(mime)
            .build();
    return new SyncResourceTemplateSpecification(
        t,
        (ex, req) -> {
          try {
            return reader.read(ex, req.uri());
          } catch (RunnerException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
              throw notFound(req.uri());
            }
            throw McpTools.error(e);
          }
        });
  }
}
