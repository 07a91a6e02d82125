package io.quackrunner.egress;

import io.quackrunner.errors.ErrorKind;
import io.quackrunner.errors.RunnerException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.concurrent.ConcurrentMap;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ConnectHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.HostPort;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * The policy proxy of one run: an HTTP/1.1 forward proxy on a UNIX socket that tunnels {@code
 * CONNECT host:port} (RFC 9110 §9.3.6) and forwards plain-HTTP requests in absolute form (RFC 9112
 * §3.2.2), each only after {@link EgressPolicy#decide} allowed it, to the address decided there.
 *
 * <p>Built on Jetty 12: its {@code ConnectHandler} for tunnels and {@code ProxyHandler.Forward}
 * (with Jetty's {@code HttpClient}) for plain HTTP; Jetty parses every request. A refusal is a
 * {@code 403} with a {@code text/plain} body {@code quackrunner egress refused HOST:PORT: REASON}
 * and the header {@code X-QuackRunner-Egress: refused}; a destination that does not answer is a
 * {@code 502}. Every attempt lands in the run's {@link EgressReport}. One thread pool and scheduler
 * serve every proxy of the process; each run gets its own server, socket and HTTP client, so one
 * run's tunnels and pooled connections are never another's.
 */
public final class EgressProxy implements EgressGate {
  private static final String LIVE = "quackrunner.egress.attempt";
  private static final String DOWNSTREAM = "quackrunner.egress.downstream";
  private static final QueuedThreadPool POOL = sharedPool();
  private static final ScheduledExecutorScheduler SCHEDULER = sharedScheduler();

  private final EgressPolicy policy;
  private Server server;
  private HttpClient client;

  /** Creates the proxy of one run over its policy. */
  public EgressProxy(EgressPolicy policy) {
    this.policy = policy;
  }

  /** Returns the policy (and through it the run's record of attempts). */
  public EgressPolicy policy() {
    return policy;
  }

  @Override
  public synchronized void open(Path socket, int uid) {
    try {
      ClientConnector connector = new ClientConnector();
      connector.setExecutor(POOL);
      connector.setScheduler(SCHEDULER);
      client = new HttpClient(new HttpClientTransportOverHTTP(connector));
      client.setExecutor(POOL);
      client.setScheduler(SCHEDULER);
      client.setFollowRedirects(false);
      // The URI the client gets holds only the address decided by the policy: never a name.
      client.setSocketAddressResolver(
          (host, port, context, promise) -> {
            try {
              promise.succeeded(
                  List.of(new InetSocketAddress(java.net.InetAddress.ofLiteral(host), port)));
            } catch (IllegalArgumentException e) {
              promise.failed(e);
            }
          });
      client.setUserAgentField(null);
      server = new Server(POOL);
      server.unmanage(POOL);
      server.addBean(SCHEDULER, false);
      HttpConfiguration http = new HttpConfiguration();
      http.setSendServerVersion(false);
      http.setSendDateHeader(false);
      UnixDomainServerConnector c =
          new UnixDomainServerConnector(server, 1, 1, new HttpConnectionFactory(http));
      c.setUnixDomainPath(socket);
      server.addConnector(c);
      Forward forward = new Forward();
      forward.setHttpClient(client);
      Tunnels tunnels = new Tunnels(forward);
      tunnels.setConnectTimeout(10_000);
      tunnels.setIdleTimeout(300_000);
      server.setHandler(tunnels);
      server.start();
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
      UserPrincipalLookupService users = socket.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(socket, users.lookupPrincipalByName(Integer.toString(uid)));
    } catch (Exception e) {
      close();
      throw new RunnerException(
          ErrorKind.EXECUTION_FAILED, "cannot start the egress proxy at " + socket + ": " + e, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (server != null) {
        server.stop();
      }
      if (client != null) {
        client.stop();
      }
    } catch (Exception e) {
      // stopping is best effort: the run is over and its sockets are closed with the server
    } finally {
      server = null;
      client = null;
    }
  }

  private static void refuse(
      Request request, Response response, Callback callback, int status, String what, String why) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
    response.getHeaders().put("X-QuackRunner-Egress", status == 403 ? "refused" : "failed");
    String body = "quackrunner egress " + (status == 403 ? "refused " : "failed ") + what;
    body += ": " + why + "\n";
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }

  /** CONNECT tunnels: decided by the policy, connected to the decided address, bytes counted. */
  private final class Tunnels extends ConnectHandler {
    Tunnels(ProxyHandler.Forward next) {
      super(next);
    }

    @Override
    protected void handleConnect(
        Request request, Response response, Callback callback, String serverAddress) {
      HostPort hp;
      try {
        hp = new HostPort(serverAddress);
      } catch (IllegalArgumentException e) {
        EgressPolicy.Live l = policy.decide("CONNECT", serverAddress, 0);
        refuse(request, response, callback, 403, serverAddress, l.reason());
        return;
      }
      if (!hp.hasPort()) {
        EgressPolicy.Live l = policy.decide("CONNECT", hp.getHost(), 0);
        refuse(request, response, callback, 403, serverAddress, l.reason());
        return;
      }
      EgressPolicy.Live l = policy.decide("CONNECT", hp.getHost(), hp.getPort());
      if (!l.allowed()) {
        refuse(request, response, callback, 403, l.host() + ":" + l.port(), l.reason());
        return;
      }
      request.setAttribute(LIVE, l);
      super.handleConnect(request, response, callback, serverAddress);
    }

    @Override
    protected void connectToServer(
        Request request, String host, int port, Promise<SocketChannel> promise) {
      EgressPolicy.Live l = (EgressPolicy.Live) request.getAttribute(LIVE);
      SocketChannel channel = null;
      try {
        channel = SocketChannel.open();
        channel.socket().setTcpNoDelay(true);
        channel.configureBlocking(false);
        channel.connect(new InetSocketAddress(l.address(), l.port()));
        promise.succeeded(channel);
      } catch (Throwable x) {
        if (channel != null) {
          try {
            channel.close();
          } catch (IOException ignored) {
            // already failing
          }
        }
        promise.failed(x);
      }
    }

    @Override
    protected void onConnectFailure(
        Request request, Response response, Callback callback, Throwable failure) {
      EgressPolicy.Live l = (EgressPolicy.Live) request.getAttribute(LIVE);
      String why = "destination did not answer (" + failure.getClass().getSimpleName() + ")";
      if (l != null) {
        l.failed(why);
        refuse(request, response, callback, 502, l.host() + ":" + l.port(), why);
      } else {
        refuse(request, response, callback, 502, "?", why);
      }
    }

    @Override
    protected void prepareContext(Request request, ConcurrentMap<String, Object> context) {
      context.put(LIVE, request.getAttribute(LIVE));
      context.put(DOWNSTREAM, request.getTunnelSupport().getEndPoint());
    }

    @Override
    protected int read(EndPoint endPoint, ByteBuffer buffer, ConcurrentMap<String, Object> context)
        throws IOException {
      int n = super.read(endPoint, buffer, context);
      if (n > 0) {
        EgressPolicy.Live l = (EgressPolicy.Live) context.get(LIVE);
        if (!l.count(n, endPoint == context.get(DOWNSTREAM))) {
          throw new IOException(l.reason());
        }
      }
      return n;
    }
  }

  /** Plain HTTP in absolute form: decided by the policy, sent to the decided address. */
  private final class Forward extends ProxyHandler.Forward {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      HttpURI uri = request.getHttpURI();
      String method = request.getMethod();
      if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        String why = "only http:// is forwarded; use CONNECT for " + uri.getScheme();
        EgressPolicy.Live l = policy.decide(method, String.valueOf(uri.getHost()), uri.getPort());
        if (l.allowed()) {
          l.failed(why);
        }
        refuse(request, response, callback, 403, String.valueOf(uri.getAuthority()), why);
        return true;
      }
      int port = uri.getPort() > 0 ? uri.getPort() : 80;
      EgressPolicy.Live l = policy.decide(method, uri.getHost(), port);
      if (!l.allowed()) {
        refuse(request, response, callback, 403, l.host() + ":" + port, l.reason());
        return true;
      }
      request.setAttribute(LIVE, l);
      // Request line and header fields count toward the byte cap like the body (as sent here).
      if (!l.count(
          request.getHttpURI().getPathQuery().length() + headerBytes(request.getHeaders()), true)) {
        refuse(request, response, callback, 403, l.host() + ":" + port, l.reason());
        return true;
      }
      return super.handle(request, response, callback);
    }

    @Override
    protected HttpURI rewriteHttpURI(Request request) {
      EgressPolicy.Live l = (EgressPolicy.Live) request.getAttribute(LIVE);
      String a = EgressRule.canonical(l.address());
      return HttpURI.build(request.getHttpURI())
          .host(a.contains(":") ? "[" + a + "]" : a)
          .port(l.port());
    }

    @Override
    protected void copyRequestHeaders(
        Request request, org.eclipse.jetty.client.Request proxyToServer) {
      super.copyRequestHeaders(request, proxyToServer);
      // The destination sees the name the tool asked for, whatever Host header it sent.
      HttpURI uri = request.getHttpURI();
      String authority = uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
      proxyToServer.headers(h -> h.put(HttpHeader.HOST, authority));
    }

    @Override
    protected void addProxyHeaders(
        Request request, org.eclipse.jetty.client.Request proxyToServer) {
      // No Via or Forwarded: they would tell the destination about the sandbox, and add nothing.
    }

    @Override
    protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(
        Request request, Response response, org.eclipse.jetty.client.Request proxyToServer) {
      EgressPolicy.Live l = (EgressPolicy.Live) request.getAttribute(LIVE);
      return new ProxyRequestContent(request) {
        @Override
        public Content.Chunk read() {
          Content.Chunk chunk = super.read();
          if (chunk != null && chunk.hasRemaining()) {
            if (!l.count(chunk.remaining(), true)) {
              chunk.release();
              return Content.Chunk.from(new IOException(l.reason()));
            }
          }
          return chunk;
        }
      };
    }

    @Override
    protected org.eclipse.jetty.client.Response.CompleteListener newServerToProxyResponseListener(
        Request request,
        org.eclipse.jetty.client.Request proxyToServer,
        Response response,
        Callback callback) {
      EgressPolicy.Live l = (EgressPolicy.Live) request.getAttribute(LIVE);
      return new ProxyResponseListener(request, proxyToServer, response, callback) {
        @Override
        public void onHeaders(org.eclipse.jetty.client.Response serverToProxy) {
          if (!l.count(headerBytes(serverToProxy.getHeaders()), false)) {
            serverToProxy.abort(new IOException(l.reason()));
            return;
          }
          super.onHeaders(serverToProxy);
        }

        @Override
        public void onContent(
            org.eclipse.jetty.client.Response serverToProxy, Content.Chunk chunk, Runnable demand) {
          if (!l.count(chunk.remaining(), false)) {
            serverToProxy.abort(new IOException(l.reason()));
            return;
          }
          super.onContent(serverToProxy, chunk, demand);
        }
      };
    }

    @Override
    protected void onServerToProxyResponseFailure(
        Request request,
        org.eclipse.jetty.client.Request proxyToServer,
        org.eclipse.jetty.client.Response serverToProxy,
        Response response,
        Callback callback,
        Throwable failure) {
      EgressPolicy.Live l = (EgressPolicy.Live) request.getAttribute(LIVE);
      if (l != null && l.reason() == null && serverToProxy == null) {
        l.failed("destination did not answer (" + failure.getClass().getSimpleName() + ")");
      }
      super.onServerToProxyResponseFailure(
          request, proxyToServer, serverToProxy, response, callback, failure);
    }

    @Override
    protected HttpField filterServerToProxyResponseField(HttpField field) {
      return field;
    }
  }

  /** The size of header fields as sent on the wire: {@code name: value CRLF} each. */
  private static long headerBytes(org.eclipse.jetty.http.HttpFields fields) {
    long n = 0;
    for (HttpField f : fields) {
      n += f.getName().length() + 2 + (f.getValue() == null ? 0 : f.getValue().length()) + 2;
    }
    return n;
  }

  private static QueuedThreadPool sharedPool() {
    QueuedThreadPool p = new QueuedThreadPool(64, 2, 60_000);
    p.setName("egress-proxy");
    p.setDaemon(true);
    try {
      p.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the egress proxy threads", e);
    }
    return p;
  }

  private static ScheduledExecutorScheduler sharedScheduler() {
    ScheduledExecutorScheduler s = new ScheduledExecutorScheduler("egress-proxy-scheduler", true);
    try {
      s.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the egress proxy scheduler", e);
    }
    return s;
  }
}
