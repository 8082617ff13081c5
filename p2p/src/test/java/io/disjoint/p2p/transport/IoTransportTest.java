package io.disjoint.p2p.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.P2pException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class IoTransportTest {
  static Stream<IoTransport> availableTransports() {
    return Arrays.stream(IoTransport.values()).filter(IoTransport::isAvailable);
  }

  @Test
  void autoPicksIoUringThenEpollThenNio() {
    IoTransport auto = IoTransport.select("auto");
    IoTransport expected = IoTransport.IO_URING.isAvailable() ? IoTransport.IO_URING
        : IoTransport.EPOLL.isAvailable() ? IoTransport.EPOLL : IoTransport.NIO;
    assertEquals(expected, auto);
    assertEquals(auto, IoTransport.select(" AUTO "));
  }

  @Test
  void namesAreReadWithoutCaseAndWithEitherSeparator() {
    assertEquals(IoTransport.NIO, IoTransport.select("NIO"));
    if (IoTransport.IO_URING.isAvailable()) {
      assertEquals(IoTransport.IO_URING, IoTransport.select("io_uring"));
      assertEquals(IoTransport.IO_URING, IoTransport.select("io-uring"));
      assertEquals(IoTransport.IO_URING, IoTransport.select("iouring"));
    }
  }

  @Test
  void anUnknownNameIsTheOperatorsFaultAndNamesTheSetting() {
    P2pException e = assertThrows(P2pException.class, () -> IoTransport.select("kqueue"));
    assertEquals(P2pException.Fault.OPERATOR, e.fault());
    assertTrue(e.getMessage().contains("kqueue") && e.getMessage().contains(IoTransport.PROPERTY)
        && e.getMessage().contains(IoTransport.ENV), e.getMessage());
  }

  /** A native transport asked for by name either loads or is refused with Netty's reason. */
  @ParameterizedTest
  @EnumSource(IoTransport.class)
  void aNamedTransportLoadsOrIsRefusedWithTheReason(IoTransport transport) {
    if (transport.isAvailable()) {
      assertEquals(transport, IoTransport.select(transport.configName()));
    } else {
      P2pException e = assertThrows(P2pException.class, () -> IoTransport.select(transport.configName()));
      assertEquals(P2pException.Fault.OPERATOR, e.fault());
      assertTrue(e.getMessage().contains("not available"), e.getMessage());
    }
  }

  @Test
  void thePropertyWinsOverTheEnvironmentAndBlankMeansAuto() {
    Map<String, String> props = new java.util.HashMap<>();
    Map<String, String> env = new java.util.HashMap<>();
    assertEquals("auto", IoTransport.configuredName(props::get, env::get));
    env.put(IoTransport.ENV, "nio");
    assertEquals("nio", IoTransport.configuredName(props::get, env::get));
    props.put(IoTransport.PROPERTY, "io_uring");
    assertEquals("io_uring", IoTransport.configuredName(props::get, env::get));
    props.put(IoTransport.PROPERTY, "  ");
    assertEquals("nio", IoTransport.configuredName(props::get, env::get));
    env.put(IoTransport.ENV, "");
    assertEquals("auto", IoTransport.configuredName(props::get, env::get));
  }

  @Test
  void channelClassesBelongToTheirTransport() {
    assertEquals(IoUringSocketChannel.class, IoTransport.IO_URING.socketChannelClass());
    assertEquals(EpollSocketChannel.class, IoTransport.EPOLL.socketChannelClass());
    assertEquals(NioSocketChannel.class, IoTransport.NIO.socketChannelClass());
    for (IoTransport t : IoTransport.values()) {
      assertEquals(t.serverChannelClass(), t.newServerChannel().getClass());
    }
  }

  @Test
  void aLoopThatIsNotAnIoLoopHasNoTransport() throws Exception {
    DefaultEventLoop plain = new DefaultEventLoop();
    try {
      assertTrue(IoTransport.of(plain).isEmpty());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IoTransport.of((EventLoopGroup) plain));
      assertTrue(e.getMessage().contains("not a Netty I/O loop"), e.getMessage());
    } finally {
      plain.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /** Each transport: loops say what they are, and 1 MiB crosses a real loopback socket intact. */
  @ParameterizedTest
  @MethodSource("availableTransports")
  void tcpTransportEchoesAMebibyteOverLoopback(IoTransport transport) throws Exception {
    byte[] payload = new byte[1 << 20];
    new Random(42).nextBytes(payload);
    try (TcpTransport tcp = new TcpTransport(transport, 2, "test-" + transport)) {
      assertEquals(transport, tcp.io());
      assertEquals(transport, IoTransport.of(tcp.workerGroup()));
      assertEquals(transport, IoTransport.of(tcp.workerGroup().next()).orElseThrow());
      Channel server = tcp.listen(new InetSocketAddress("127.0.0.1", 0), new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
          ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              ctx.write(msg);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
              ctx.flush();
            }
          });
        }
      }).get(10, TimeUnit.SECONDS);
      assertInstanceOf(transport.serverChannelClass(), server);

      CompletableFuture<byte[]> echoed = new CompletableFuture<>();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      Channel client = tcp.dial((InetSocketAddress) server.localAddress(), Duration.ofSeconds(5), new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
          ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              ByteBuf buf = (ByteBuf) msg;
              try {
                buf.readBytes(received, buf.readableBytes());
              } catch (java.io.IOException e) {
                echoed.completeExceptionally(e);
              } finally {
                buf.release();
              }
              if (received.size() >= payload.length) {
                echoed.complete(received.toByteArray());
              }
            }
          });
        }
      }).get(10, TimeUnit.SECONDS);
      assertInstanceOf(transport.socketChannelClass(), client);
      client.writeAndFlush(Unpooled.wrappedBuffer(payload));
      assertArrayEquals(payload, echoed.get(20, TimeUnit.SECONDS));
      client.close().sync();
      server.close().sync();
    }
  }
}
