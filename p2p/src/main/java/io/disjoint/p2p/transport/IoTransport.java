package io.disjoint.p2p.transport;

import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.P2pException.Fault;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place that says which Netty I/O transport the process uses: the event loops' I/O handler
 * and the socket channel classes that fit them. Every component that makes event loops or channels
 * (the libp2p host, the gateway, the upstream client) asks here, so one setting switches all of
 * them, and a channel is always registered on loops of its own kind.
 *
 * <p>The choice: the system property {@value #PROPERTY}, else the environment variable
 * {@value #ENV}, else {@code auto}; values {@code auto}, {@code io_uring}, {@code epoll},
 * {@code nio}. {@code auto} takes the first that loads of io_uring, epoll and NIO: on the relay
 * path io_uring's one {@code io_uring_enter} per loop turn (instead of separate reads, writes and
 * {@code epoll_wait}s) measured 12-18% less CPU per relayed request than epoll (see
 * docs/operator-guide.md, "I/O transport"). Asking for a native transport the machine cannot load
 * is an operator error, named with the reason.
 */
public enum IoTransport {
  IO_URING("io_uring", IoUringIoHandler.class) {
    @Override
    public boolean isAvailable() {
      return IoUring.isAvailable();
    }

    @Override
    public Optional<Throwable> unavailabilityCause() {
      return Optional.ofNullable(IoUring.unavailabilityCause());
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return IoUringIoHandler.newFactory();
    }

    @Override
    public Class<? extends SocketChannel> socketChannelClass() {
      return IoUringSocketChannel.class;
    }

    @Override
    public Class<? extends ServerChannel> serverChannelClass() {
      return IoUringServerSocketChannel.class;
    }

    @Override
    public ServerChannel newServerChannel() {
      return new IoUringServerSocketChannel();
    }
  },
  EPOLL("epoll", EpollIoHandler.class) {
    @Override
    public boolean isAvailable() {
      return Epoll.isAvailable();
    }

    @Override
    public Optional<Throwable> unavailabilityCause() {
      return Optional.ofNullable(Epoll.unavailabilityCause());
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return EpollIoHandler.newFactory();
    }

    @Override
    public Class<? extends SocketChannel> socketChannelClass() {
      return EpollSocketChannel.class;
    }

    @Override
    public Class<? extends ServerChannel> serverChannelClass() {
      return EpollServerSocketChannel.class;
    }

    @Override
    public ServerChannel newServerChannel() {
      return new EpollServerSocketChannel();
    }
  },
  NIO("nio", NioIoHandler.class) {
    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public Optional<Throwable> unavailabilityCause() {
      return Optional.empty();
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return NioIoHandler.newFactory();
    }

    @Override
    public Class<? extends SocketChannel> socketChannelClass() {
      return NioSocketChannel.class;
    }

    @Override
    public Class<? extends ServerChannel> serverChannelClass() {
      return NioServerSocketChannel.class;
    }

    @Override
    public ServerChannel newServerChannel() {
      return new NioServerSocketChannel();
    }
  };

  /** System property naming the transport (wins over the environment). */
  public static final String PROPERTY = "disjoint.io.transport";
  /** Environment variable naming the transport. */
  public static final String ENV = "DISJOINT_IO_TRANSPORT";
  /** The value that lets the machine decide. */
  public static final String AUTO = "auto";

  private final String configName;
  private final Class<? extends IoHandler> handlerType;

  IoTransport(String configName, Class<? extends IoHandler> handlerType) {
    this.configName = configName;
    this.handlerType = handlerType;
  }

  /** The name used in configuration and logs: {@code io_uring}, {@code epoll} or {@code nio}. */
  public String configName() {
    return configName;
  }

  /** True if this transport's native part loads on this machine (always for NIO). */
  public abstract boolean isAvailable();

  /** Why {@link #isAvailable()} is false, when Netty knows. */
  public abstract Optional<Throwable> unavailabilityCause();

  /** The I/O handler of event loops for this transport. */
  public abstract IoHandlerFactory ioHandlerFactory();

  /** The TCP client channel class that registers on this transport's loops. */
  public abstract Class<? extends SocketChannel> socketChannelClass();

  /** The TCP listener channel class that registers on this transport's loops. */
  public abstract Class<? extends ServerChannel> serverChannelClass();

  /** A new, unregistered TCP listener channel. */
  public abstract ServerChannel newServerChannel();

  @Override
  public String toString() {
    return configName;
  }

  /** The transport the process is configured for: {@link #PROPERTY}, then {@link #ENV}, then auto. */
  public static IoTransport configured() {
    return select(configuredName(System::getProperty, System::getenv));
  }

  /** The configured name, property first; {@code auto} when neither is set or both are blank. */
  static String configuredName(
      java.util.function.UnaryOperator<String> properties, java.util.function.UnaryOperator<String> environment) {
    String fromProperty = properties.apply(PROPERTY);
    if (fromProperty != null && !fromProperty.isBlank()) {
      return fromProperty;
    }
    String fromEnv = environment.apply(ENV);
    return fromEnv != null && !fromEnv.isBlank() ? fromEnv : AUTO;
  }

  /**
   * The transport for a configured name: {@code auto} picks io_uring if it loads, else epoll if it
   * loads, else NIO; a named transport must load here.
   *
   * @throws P2pException (operator's fault) for an unknown name or a transport that cannot load
   */
  public static IoTransport select(String name) {
    String wanted = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
    if (wanted.equals(AUTO)) {
      return IO_URING.isAvailable() ? IO_URING : EPOLL.isAvailable() ? EPOLL : NIO;
    }
    for (IoTransport t : values()) {
      if (t.configName.equals(wanted) || (t == IO_URING && wanted.equals("iouring"))) {
        if (!t.isAvailable()) {
          throw new P2pException(Fault.OPERATOR, "I/O transport " + t + " (" + PROPERTY + " / " + ENV
              + ") is not available here: " + t.unavailabilityCause().map(Throwable::toString).orElse("unknown reason"));
        }
        return t;
      }
    }
    throw new P2pException(Fault.OPERATOR, "unknown I/O transport '" + name + "' (" + PROPERTY + " / " + ENV
        + "): expected auto, io_uring, epoll or nio");
  }

  /** The transport whose loops {@code loop} is; empty for a loop that is not an I/O loop of ours. */
  public static Optional<IoTransport> of(EventLoop loop) {
    if (loop instanceof IoEventLoop io) {
      for (IoTransport t : values()) {
        if (io.isIoType(t.handlerType)) {
          return Optional.of(t);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The transport of every loop in {@code group}.
   *
   * @throws IllegalArgumentException if a loop is of no known transport or the loops are mixed
   */
  public static IoTransport of(EventLoopGroup group) {
    IoTransport found = null;
    for (io.netty.util.concurrent.EventExecutor e : group) {
      IoTransport t = (e instanceof EventLoop loop ? of(loop) : Optional.<IoTransport>empty())
          .orElseThrow(() -> new IllegalArgumentException("event loop " + e + " is not a Netty I/O loop of a known transport"));
      if (found != null && found != t) {
        throw new IllegalArgumentException("event loop group mixes " + found + " and " + t + " loops");
      }
      found = t;
    }
    if (found == null) {
      throw new IllegalArgumentException("event loop group has no loops");
    }
    return found;
  }
}
