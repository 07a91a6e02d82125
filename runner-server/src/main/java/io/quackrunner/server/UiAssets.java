package io.quackrunner.server;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /ui/…}: the run inspector's static files, read from this jar's {@code
 * io/quackrunner/server/ui/} (docs/INSPECTOR.md). No file needs a token: every datum the page shows
 * comes from the authenticated API.
 *
 * <p>Each answer carries a Content-Security-Policy that allows only this origin's scripts, styles
 * and API ({@code default-src 'self'}, no inline script or style, no framing, no plugins), {@code
 * X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer}.
 */
final class UiAssets {
  /** The policy of every inspector page; {@code blob:} images are previews of artifacts. */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none';"
          + " frame-src 'none'; frame-ancestors 'none'";

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]*\\.(html|css|mjs|svg)");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "mjs", "text/javascript; charset=utf-8",
          "svg", "image/svg+xml");
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  /**
   * Answers {@code /ui} and {@code /ui/} (the page, whose links are absolute) and {@code
   * /ui/<file>}.
   *
   * @throws RunnerException of kind NOT_FOUND for any other path or a file the jar lacks
   */
  void get(List<String> seg, Response resp, Callback cb) {
    headers(resp);
    String name = seg.size() == 1 ? "index.html" : seg.size() == 2 ? seg.get(1) : "";
    if (!NAME.matcher(name).matches()) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no inspector file /ui/" + name);
    }
    byte[] body = cache.computeIfAbsent(name, UiAssets::load);
    if (body.length == 0) {
      throw new RunnerException(ErrorKind.NOT_FOUND, "no inspector file /ui/" + name);
    }
    Http.send(resp, cb, 200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), body);
  }

  private static void headers(Response resp) {
    resp.getHeaders().put("Content-Security-Policy", CSP);
    resp.getHeaders().put("X-Content-Type-Options", "nosniff");
    resp.getHeaders().put("Referrer-Policy", "no-referrer");
    resp.getHeaders().put("Cross-Origin-Opener-Policy", "same-origin");
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
  }

  private static byte[] load(String name) {
    try (InputStream in = UiAssets.class.getResourceAsStream("ui/" + name)) {
      return in == null ? new byte[0] : in.readAllBytes();
    } catch (IOException e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot read inspector file " + name, e);
    }
  }
}
