package io.quackrunner.server;

import io.quackrunner.callbacks.CallbackPolicy;
import io.quackrunner.callbacks.CallbackTarget;
import io.quackrunner.callbacks.CallbackTransport;
import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;

/**
 * Sends receipt callbacks with Jetty's HTTP client: the connection goes to the address pinned at
 * submission (a resolver that never looks a name up; the URL's host still goes in {@code Host} and
 * TLS SNI, and certificates are checked against it), no redirect is followed, connect and read time
 * are bounded, and the response is dropped once its status line and headers arrived, so no body is
 * read or stored.
 */
final class JettyCallbackTransport implements CallbackTransport {
  /** The tag that sends a request to one address; requests with equal pins share connections. */
  private record Pin(InetAddress address) {}

  private final HttpClient client = new HttpClient();

  JettyCallbackTransport() {
    client.setFollowRedirects(false);
    client.setMaxRedirects(0);
    client.setUserAgentField(
        new org.eclipse.jetty.http.HttpField(
            HttpHeader.USER_AGENT, "QuackRunner/" + io.quackrunner.RunnerVersion.get()));
    client.setSocketAddressResolver(
        (host, port, context, promise) -> {
          Object d = context.get(Destination.CONTEXT_KEY);
          if (d instanceof Destination dest && dest.getOrigin().getTag() instanceof Pin pin) {
            promise.succeeded(List.of(new InetSocketAddress(pin.address(), port)));
          } else {
            // Fail closed: nothing in this client may resolve a name by itself.
            promise.failed(new UnknownHostException(host + " has no pinned callback address"));
          }
        });
    try {
      client.start();
    } catch (Exception e) {
      throw new RunnerException(ErrorKind.INTERNAL, "cannot start the callback client: " + e, e);
    }
  }

  @Override
  public Attempt post(
      CallbackTarget target, byte[] envelope, String executionId, CallbackPolicy.Timeouts t) {
    long connectMs = t.connect().toMillis();
    long readMs = t.read().toMillis();
    client.setConnectTimeout(connectMs);
    AtomicInteger status = new AtomicInteger();
    CompletableFuture<Result> done = new CompletableFuture<>();
    Request r =
        client
            .newRequest(target.url())
            .method(HttpMethod.POST)
            .tag(new Pin(target.address()))
            .followRedirects(false)
            .headers(
                h -> {
                  h.put(HttpHeader.CONTENT_TYPE, MEDIA_TYPE);
                  // draft-ietf-httpapi-idempotency-key-header: an RFC 8941 sf-string.
                  h.put("Idempotency-Key", "\"" + executionId + "\"");
                })
            .body(new BytesRequestContent(MEDIA_TYPE, envelope))
            .idleTimeout(readMs, TimeUnit.MILLISECONDS)
            .timeout(connectMs + readMs, TimeUnit.MILLISECONDS)
            .onResponseHeaders(
                resp -> {
                  status.set(resp.getStatus());
                  resp.abort(new java.util.concurrent.CancellationException("body not read"));
                });
    r.send(done::complete);
    Result res;
    try {
      res = done.get(connectMs + readMs + 2_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      r.abort(e);
      return new Attempt(0, "no response within " + (connectMs + readMs) + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      r.abort(e);
      return new Attempt(0, "interrupted");
    } catch (ExecutionException e) {
      return new Attempt(0, String.valueOf(e.getCause()));
    }
    int s = status.get();
    if (s >= 200 && s < 300) {
      return new Attempt(s, null);
    }
    if (s != 0) {
      return new Attempt(
          s, "HTTP " + s + (s >= 300 && s < 400 ? " (redirects are not followed)" : ""));
    }
    Throwable f = res.getFailure();
    return new Attempt(0, f == null ? "no response" : oneLine(f));
  }

  private static String oneLine(Throwable f) {
    Throwable c = f;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    return m.replaceAll("\\s+", " ");
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (Exception e) {
      io.quackrunner.service.JsonLog.warn(
          "callback.client_stop_failed", "detail", String.valueOf(e));
    }
  }
}
