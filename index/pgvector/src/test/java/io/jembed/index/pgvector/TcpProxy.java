package io.jembed.index.pgvector;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A socket on 127.0.0.1 that forwards every connection to a real server, counts the bytes clients
 * send, and can cut every connection at once (or after a number of bytes): a server that goes away
 * mid-ingest, without disturbing the server itself. With no target it accepts connections and never
 * answers: a server that hangs.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final String targetHost;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong sent = new AtomicLong();
  private volatile long cutAfter = Long.MAX_VALUE;
  private volatile boolean cut;

  /** Forwards to the server at host:port. */
  TcpProxy(String targetHost, int targetPort) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    Thread accept = new Thread(this::accept, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** A server that accepts connections and never says a word. */
  static TcpProxy silent() throws IOException {
    return new TcpProxy(null, 0);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Bytes clients sent through the proxy so far. */
  long sent() {
    return sent.get();
  }

  /** Cuts every connection once clients have sent {@code bytes} more bytes. */
  void cutAfter(long bytes) {
    cutAfter = sent.get() + bytes;
  }

  /** Cuts every connection now, and every later one as it comes. */
  void cut() {
    cut = true;
    for (Socket s : sockets) {
      closeQuietly(s);
    }
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        if (cut) {
          closeQuietly(client);
          continue;
        }
        if (targetHost == null) {
          continue; // silent: hold the connection open, answer nothing
        }
        Socket server = new Socket(targetHost, targetPort);
        sockets.add(server);
        pump(client, server, true);
        pump(server, client, false);
      } catch (IOException e) {
        // closed
      }
    }
  }

  private void pump(Socket from, Socket to, boolean counted) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16384];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                  if (counted && sent.addAndGet(n) >= cutAfter) {
                    cut();
                    return;
                  }
                  out.write(buffer, 0, n);
                }
              } catch (IOException e) {
                // cut, or closed by one side
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closed already
    }
  }

  @Override
  public void close() throws IOException {
    cut();
    listener.close();
  }
}
