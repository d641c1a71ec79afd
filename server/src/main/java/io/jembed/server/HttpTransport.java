package io.jembed.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * HTTP/1.1 on Netty: accepts connections, reads each request whole under the limits of {@link
 * ServerOptions} (header size, body size, read deadline, bodies in flight, connections), hands it
 * to the application on a virtual thread and writes the answer back. What a request means is the
 * application's business ({@link Router}); this class only moves bytes.
 *
 * <p>Netty, not the JDK's HTTP server or Jetty: it keeps reading every connection while a request
 * is handled, so a client that hangs up is noticed at once and its queued work dropped (the JDK
 * server and Jetty's HTTP/1.1 notice only when they write the answer), and its pipeline gives the
 * read deadline and the body budget a place before the application sees a byte.
 */
final class HttpTransport implements AutoCloseable {
  private final EventLoopGroup loops;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
  private final ByteBudget bodies;
  private final Channel listener;
  private volatile boolean closing;

  /**
   * Binds the port and starts serving.
   *
   * @param screen sees a request's head before its body is read: an answer refuses it at once (its
   *     body is read and dropped), null lets it through; must not throw
   * @param application answers a request; must not throw
   */
  HttpTransport(
      ServerOptions options,
      Metrics metrics,
      Function<ApiRequest, ApiResponse> screen,
      Function<ApiRequest, ApiResponse> application) {
    this.bodies = new ByteBudget(options.maxBodyBytesInFlight());
    this.loops =
        new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("jembed-http", true), NioIoHandler.newFactory());
    metrics.gauge("jembed_connections_open", connections::size);
    metrics.gauge("jembed_body_bytes_in_flight", bodies::used);
    HttpConnection.Settings settings =
        new HttpConnection.Settings(
            options, metrics, screen, application, handlers, bodies, connections, () -> closing);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(loops)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    HttpConnection.install(channel, settings);
                  }
                });
    try {
      this.listener = bootstrap.bind(options.host(), options.port()).sync().channel();
    } catch (Exception e) {
      shutDownLoops();
      throw new UncheckedIOException(
          "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(),
          e instanceof java.io.IOException io ? io : new java.io.IOException(e));
    }
  }

  InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  /** Closes the listening socket: new connections are refused, open ones go on. */
  void stopAccepting() {
    closing = true; // answers from now on close their connection
    listener.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
  }

  /** Closes every connection and stops the network threads, within about a second. */
  @Override
  public void close() {
    stopAccepting();
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    shutDownLoops();
    handlers.shutdownNow(); // virtual threads still handling are interrupted
  }

  private void shutDownLoops() {
    loops.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(1500);
  }

  /** Bytes of request bodies held at once across connections. */
  static final class ByteBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    ByteBudget(long limit) {
      this.limit = limit;
    }

    boolean tryReserve(long bytes) {
      while (true) {
        long now = used.get();
        if (now + bytes > limit) {
          return false;
        }
        if (used.compareAndSet(now, now + bytes)) {
          return true;
        }
      }
    }

    void release(long bytes) {
      used.addAndGet(-bytes);
    }

    long used() {
      return used.get();
    }

    long limit() {
      return limit;
    }
  }
}
