package io.jembed.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One client connection: its read deadline and idle timeout, the body budget its requests take, and
 * the requests it sent, answered one at a time in order (HTTP/1.1 pipelining). Every method runs on
 * the connection's event loop, so the state needs no locks.
 */
final class HttpConnection {
  /** Longest request line and header block. */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  /** Pipelined requests queued behind the one being answered; more close the connection. */
  private static final int MAX_PIPELINED = 16;

  /**
   * What every connection shares. {@code screen} sees each request's head (an empty body) before
   * its body is read, and answers it at once (a refusal) or returns null to read it whole and hand
   * it to {@code application}.
   */
  record Settings(
      ServerOptions options,
      Metrics metrics,
      Function<ApiRequest, ApiResponse> screen,
      Function<ApiRequest, ApiResponse> application,
      ExecutorService handlers,
      HttpTransport.ByteBudget bodies,
      ChannelGroup connections,
      BooleanSupplier closing) {}

  /** A request read whole, waiting for its answer; holds its share of the body budget. */
  private static final class Exchange {
    final FullHttpRequest request;
    final long reservedBytes;
    final long receivedNanos = System.nanoTime();
    final boolean keepAlive;
    final boolean head;
    ApiRequest api;

    Exchange(FullHttpRequest request, long reservedBytes) {
      this.request = request;
      this.reservedBytes = reservedBytes;
      this.keepAlive = HttpUtil.isKeepAlive(request);
      this.head = request.method().equals(HttpMethod.HEAD);
    }
  }

  private final Channel channel;
  private final Settings settings;
  private final ArrayDeque<Exchange> queued = new ArrayDeque<>();
  private Exchange current;
  private boolean reading; // bytes of a request have arrived, the request is not whole yet
  private long readingReserved; // body bytes reserved for the request being read
  private boolean refusing; // a refusal was sent: ignore the rest of the input
  private boolean discarding; // reading the body of a request answered from its head
  private ScheduledFuture<?> readTimer;
  private ScheduledFuture<?> idleTimer;

  private HttpConnection(Channel channel, Settings settings) {
    this.channel = channel;
    this.settings = settings;
  }

  static void install(SocketChannel channel, Settings settings) {
    HttpConnection c = new HttpConnection(channel, settings);
    ServerOptions o = settings.options();
    channel
        .pipeline()
        .addLast("first-bytes", c.new FirstBytes())
        .addLast(
            "codec",
            new HttpServerCodec(
                new HttpDecoderConfig()
                    .setMaxInitialLineLength(MAX_HEADER_BYTES)
                    .setMaxHeaderSize(MAX_HEADER_BYTES)
                    .setMaxChunkSize(64 * 1024)))
        .addLast("body-budget", c.new BodyBudget())
        .addLast("aggregator", c.new Aggregator((int) o.maxBodyBytes()))
        .addLast("exchange", c.new Requests());
  }

  // ---------------------------------------------------------------- connection lifecycle

  private void opened() {
    if (settings.connections().size() >= settings.options().maxConnections()) {
      settings.metrics().error("too_many_connections");
      channel.close();
      return;
    }
    settings.connections().add(channel);
    armIdleTimer();
  }

  private void closed() {
    cancel(readTimer);
    cancel(idleTimer);
    if (reading) {
      settings.metrics().error("client_disconnect"); // gone in the middle of its request
      reading = false;
    }
    release(readingReserved);
    readingReserved = 0;
    for (Exchange e : queued) {
      e.request.release();
      release(e.reservedBytes);
    }
    queued.clear();
    if (current != null && current.api != null) {
      current.api.clientGone(); // its queued work is dropped; the answer is never written
    }
  }

  /** The first bytes of a request start its read deadline. */
  private void bytesArrived() {
    cancel(idleTimer);
    idleTimer = null;
    if (!reading) {
      reading = true;
      readTimer =
          channel
              .eventLoop()
              .schedule(
                  this::readTimedOut,
                  settings.options().readTimeout().toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  private void readTimedOut() {
    if (!reading || !channel.isActive()) {
      return;
    }
    if (discarding) {
      channel.close(); // answered already; the rest of its body is not coming
      return;
    }
    reading = false;
    refuse(
        new ApiException(
            408,
            "request_timeout",
            "the request took longer than "
                + settings.options().readTimeout().toSeconds()
                + " s to arrive"));
  }

  private void armIdleTimer() {
    cancel(idleTimer);
    idleTimer =
        channel
            .eventLoop()
            .schedule(
                () -> {
                  if (!reading && current == null && queued.isEmpty()) {
                    channel.close();
                  }
                },
                settings.options().idleTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
  }

  private static void cancel(ScheduledFuture<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void release(long bytes) {
    if (bytes > 0) {
      settings.bodies().release(bytes);
    }
  }

  /** Answers with an error before the application saw the request, then closes. */
  private void refuse(ApiException e) {
    refusing = true;
    settings.metrics().error(e.kind());
    settings.metrics().request("other", e.status());
    ApiResponse r = ApiResponse.error(e);
    FullHttpResponse response = toHttp(HttpVersion.HTTP_1_1, r, false, false);
    channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  // ---------------------------------------------------------------- requests in order

  private void requestRead(FullHttpRequest request) {
    reading = false;
    cancel(readTimer);
    long reserved = readingReserved;
    readingReserved = 0;
    if (refusing) {
      request.release();
      release(reserved);
      return;
    }
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      request.release();
      release(reserved);
      refuse(malformed(result.cause()));
      return;
    }
    if (queued.size() >= MAX_PIPELINED) {
      request.release();
      release(reserved);
      channel.close();
      return;
    }
    queued.addLast(new Exchange(request, reserved));
    if (current == null) {
      answerNext();
    }
  }

  private static ApiException malformed(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return new ApiException(
          431,
          "headers_too_large",
          "the request headers are larger than " + MAX_HEADER_BYTES + " bytes");
    }
    if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException) {
      return new ApiException(
          414, "uri_too_long", "the request line is longer than " + MAX_HEADER_BYTES + " bytes");
    }
    String why = cause == null || cause.getMessage() == null ? "malformed" : cause.getMessage();
    return new ApiException(400, "malformed_request", "bad HTTP request: " + why);
  }

  private void answerNext() {
    current = queued.pollFirst();
    if (current == null) {
      if (!reading) {
        armIdleTimer();
      }
      return;
    }
    Exchange exchange = current;
    FullHttpRequest request = exchange.request;
    byte[] body = ByteBufUtil.getBytes(request.content());
    HttpHeaders headers = request.headers();
    String method = request.method().name();
    String path = path(request.uri());
    request.release();
    exchange.api =
        new ApiRequest(
            method,
            path,
            query(request.uri()),
            headers::get,
            body,
            exchange.receivedNanos + settings.options().requestTimeout().toNanos());
    try {
      settings
          .handlers()
          .execute(
              () -> {
                ApiResponse response = settings.application().apply(exchange.api);
                channel.eventLoop().execute(() -> answered(exchange, response));
              });
    } catch (RejectedExecutionException e) {
      answered(exchange, ApiResponse.error(ApiException.shuttingDown()));
    }
  }

  /** The query string of a request target (after '?', before '#'), or "". */
  static String query(String uri) {
    int q = uri.indexOf('?');
    if (q < 0) {
      return "";
    }
    int fragment = uri.indexOf('#', q);
    return fragment < 0 ? uri.substring(q + 1) : uri.substring(q + 1, fragment);
  }

  /** The path of a request target, without its query; absolute targets keep their path only. */
  static String path(String uri) {
    String target = uri;
    int scheme = target.indexOf("://");
    if (scheme > 0 && scheme < 8) {
      int slash = target.indexOf('/', scheme + 3);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    int query = target.indexOf('?');
    if (query >= 0) {
      target = target.substring(0, query);
    }
    int fragment = target.indexOf('#');
    return fragment >= 0 ? target.substring(0, fragment) : target;
  }

  private void answered(Exchange exchange, ApiResponse response) {
    if (!channel.isActive()) {
      release(exchange.reservedBytes);
      return;
    }
    boolean keepAlive = exchange.keepAlive && !settings.closing().getAsBoolean();
    FullHttpResponse http =
        toHttp(exchange.request.protocolVersion(), response, keepAlive, exchange.head);
    channel
        .writeAndFlush(http)
        .addListener(
            f -> {
              release(exchange.reservedBytes);
              current = null;
              if (!f.isSuccess() || !keepAlive) {
                channel.close();
              } else {
                answerNext();
              }
            });
  }

  private static FullHttpResponse toHttp(
      HttpVersion version, ApiResponse r, boolean keepAlive, boolean head) {
    ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body());
    FullHttpResponse http =
        new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(r.status()), content);
    HttpHeaders h = http.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    h.set(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    for (Map.Entry<String, String> e : r.headers().entrySet()) {
      h.set(e.getKey(), e.getValue());
    }
    HttpUtil.setKeepAlive(http, keepAlive);
    return http;
  }

  // ---------------------------------------------------------------- pipeline stages

  /** Before the HTTP decoder: notices the first byte of each request, for its read deadline. */
  private final class FirstBytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      opened();
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed();
      ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (refusing) {
        ReferenceCountUtil.release(msg); // the answer is on its way and the connection closing
        return;
      }
      if (msg instanceof ByteBuf b && b.isReadable()) {
        bytesArrived();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // resets and broken pipes end the connection; nothing to answer
      if (!(cause instanceof IOException)) {
        settings.metrics().error("transport");
      }
      ctx.close();
    }
  }

  /**
   * Between the decoder and the aggregator: a body takes its bytes from the budget shared by all
   * connections before it is buffered; when the budget is spent the request gets 503 at once.
   */
  private final class BodyBudget extends ChannelInboundHandlerAdapter {
    private boolean lengthKnown;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (discarding) {
        discard(msg);
        return;
      }
      if (msg instanceof HttpRequest request
          && request.decoderResult().isSuccess()
          && answeredFromHead(request)) {
        discard(msg);
        return;
      }
      if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
        long length = contentLength(request);
        lengthKnown = length >= 0;
        if (length > 0
            && length <= settings.options().maxBodyBytes()
            && !reserve(ctx, msg, length)) {
          return;
        }
      }
      if (msg instanceof HttpContent content && !lengthKnown) {
        int bytes = content.content().readableBytes();
        if (bytes > 0 && !reserve(ctx, msg, bytes)) {
          return;
        }
      }
      ctx.fireChannelRead(msg);
    }

    /**
     * Refuses a request from its head when the application says so (overloaded, shutting down),
     * before its body is read; the body is then read and thrown away, so the connection stays
     * usable and the client sees the answer instead of a reset.
     */
    private boolean answeredFromHead(HttpRequest request) {
      if (current != null
          || !queued.isEmpty()
          || !HttpUtil.isKeepAlive(request)
          || HttpUtil.is100ContinueExpected(request)) {
        return false; // answers go out in order; a closing or waiting client gets the usual path
      }
      ApiRequest head =
          new ApiRequest(
              request.method().name(),
              path(request.uri()),
              request.headers()::get,
              new byte[0],
              System.nanoTime() + settings.options().requestTimeout().toNanos());
      ApiResponse answer = settings.screen().apply(head);
      if (answer == null) {
        return false;
      }
      discarding = true;
      channel.writeAndFlush(
          toHttp(request.protocolVersion(), answer, !settings.closing().getAsBoolean(), false));
      return true;
    }

    private void discard(Object msg) {
      boolean last = msg instanceof LastHttpContent;
      ReferenceCountUtil.release(msg);
      if (last) {
        discarding = false;
        reading = false;
        cancel(readTimer);
        if (settings.closing().getAsBoolean()) {
          channel.close();
        } else {
          armIdleTimer();
        }
      }
    }

    private boolean reserve(ChannelHandlerContext ctx, Object msg, long bytes) {
      if (settings.bodies().tryReserve(bytes)) {
        readingReserved += bytes;
        return true;
      }
      ReferenceCountUtil.release(msg);
      reading = false;
      cancel(readTimer);
      refuse(
          new ApiException(
              503,
              "server_busy",
              "the server holds as many request bodies as it may ("
                  + settings.bodies().limit()
                  + " bytes); retry later",
              Map.of("Retry-After", "1")));
      return false;
    }

    private static long contentLength(HttpMessage message) {
      try {
        return HttpUtil.getContentLength(message, -1L);
      } catch (NumberFormatException e) {
        return -1; // the decoder has flagged it already
      }
    }
  }

  /** Reads a body whole; one over the limit gets a JSON 413 and the connection closes. */
  private final class Aggregator extends HttpObjectAggregator {
    Aggregator(int maxBody) {
      super(maxBody, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      ReferenceCountUtil.release(oversized);
      reading = false;
      cancel(readTimer);
      refuse(
          new ApiException(
              413,
              "payload_too_large",
              "the request body is larger than the limit of "
                  + settings.options().maxBodyBytes()
                  + " bytes"));
    }
  }

  /** After the aggregator: whole requests, answered in order. */
  private final class Requests extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest request) {
        requestRead(request);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
  }
}
