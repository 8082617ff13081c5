package io.disjoint.p2p.identify;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.P2pException.Fault;
import io.disjoint.p2p.api.Connection;
import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.api.Stream;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.crypto.PubKey;
import io.disjoint.p2p.multiaddr.Multiaddr;
import io.disjoint.p2p.record.PeerRecord;
import io.disjoint.p2p.wire.Uvarint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identify "/ipfs/id/1.0.0" and Identify Push "/ipfs/id/push/1.0.0". The responder writes one
 * length-prefixed Identify message and closes; the requester reads to EOF (at most 8 KiB per
 * message, several messages are merged). Every new connection is identified by both sides; a
 * change of our protocols is pushed to every connected peer.
 */
public final class IdentifyService {
  private static final Logger LOG = LoggerFactory.getLogger(IdentifyService.class);
  public static final String ID = "/ipfs/id/1.0.0";
  public static final String PUSH_ID = "/ipfs/id/push/1.0.0";
  public static final String PROTOCOL_VERSION = "ipfs/0.1.0";
  /** Largest Identify message accepted. */
  public static final int MAX_MESSAGE_BYTES = 8 * 1024;
  private static final int MAX_MESSAGES = 4;

  /** What the local host is, as Identify tells it. */
  public interface LocalHost {
    PrivKey privKey();

    List<Multiaddr> listenAddrs();

    Set<String> protocols();

    Collection<Connection> connections();

    /** Signed peer record to include (field 8), empty until records are available. */
    default byte[] signedPeerRecord() {
      return new byte[0];
    }
  }

  private final LocalHost local;
  private final String agentVersion;
  private final Consumer<PeerInfo> onIdentified;

  public IdentifyService(LocalHost local, String agentVersion, Consumer<PeerInfo> onIdentified) {
    this.local = Objects.requireNonNull(local, "local");
    this.agentVersion = Objects.requireNonNull(agentVersion, "agentVersion");
    this.onIdentified = Objects.requireNonNull(onIdentified, "onIdentified");
  }

  /** The message we send to the remote of {@code connection}. */
  public IdentifyProto.Identify localMessage(Connection connection) {
    IdentifyProto.Identify.Builder b = IdentifyProto.Identify.newBuilder()
        .setProtocolVersion(PROTOCOL_VERSION)
        .setAgentVersion(agentVersion)
        .setPublicKey(ByteString.copyFrom(local.privKey().publicKey().marshal()))
        .setObservedAddr(ByteString.copyFrom(connection.remoteAddr().bytes()));
    for (Multiaddr addr : local.listenAddrs()) {
      b.addListenAddrs(ByteString.copyFrom(addr.bytes()));
    }
    b.addAllProtocols(local.protocols().stream().sorted().toList());
    byte[] record = local.signedPeerRecord();
    if (record.length > 0) {
      b.setSignedPeerRecord(ByteString.copyFrom(record));
    }
    return b.build();
  }

  /** Handler for inbound "/ipfs/id/1.0.0": send our message, then close. */
  public void respond(Stream stream) {
    writeMessage(stream);
  }

  /** Handler for inbound "/ipfs/id/push/1.0.0": read the pushed message and apply it. */
  public void receivePush(Stream stream) {
    readMessage(stream).whenComplete((info, e) -> {
      if (e != null) {
        LOG.debug("identify push from {} rejected: {}", stream.remotePeer(), e.getMessage());
      }
    });
  }

  /** Runs Identify on a new connection; failures are logged, never thrown. */
  public void onConnected(Connection connection) {
    identify(connection).whenComplete((info, e) -> {
      if (e != null) {
        LOG.debug("identify with {} failed: {}", connection.remotePeer(), e.getMessage());
      }
    });
  }

  /** Asks the remote of {@code connection} who it is. */
  public CompletableFuture<PeerInfo> identify(Connection connection) {
    return connection.newStream(ID).thenCompose(this::readMessage);
  }

  /** Pushes our current Identify message to every connected peer. */
  public void pushToAll() {
    for (Connection c : local.connections()) {
      c.newStream(PUSH_ID).whenComplete((stream, e) -> {
        if (e != null) {
          LOG.debug("identify push to {} failed: {}", c.remotePeer(), e.getMessage());
        } else {
          writeMessage(stream);
        }
      });
    }
  }

  private void writeMessage(Stream stream) {
    byte[] message = localMessage(stream.connection()).toByteArray();
    ByteBuf out = stream.channel().alloc().buffer(message.length + Uvarint.MAX_LENGTH);
    Uvarint.write(out, message.length);
    out.writeBytes(message);
    stream.channel().writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }

  private CompletableFuture<PeerInfo> readMessage(Stream stream) {
    CompletableFuture<byte[]> bytes = new CompletableFuture<>();
    stream.channel().pipeline().addLast("identify-reader",
        new ReadToEndHandler(MAX_MESSAGES * (MAX_MESSAGE_BYTES + Uvarint.MAX_LENGTH), bytes));
    return bytes.thenApply(b -> {
      PeerInfo info = decode(b, stream.remotePeer());
      onIdentified.accept(info);
      return info;
    });
  }

  /**
   * Decodes one or more length-prefixed Identify messages (merged, as protobuf merges them) and
   * checks them against the authenticated connection.
   */
  public static PeerInfo decode(byte[] bytes, PeerId remote) {
    IdentifyProto.Identify message = parse(bytes);
    if (message.hasPublicKey()) {
      PubKey key;
      try {
        key = PubKey.unmarshal(message.getPublicKey().toByteArray());
      } catch (P2pException e) {
        throw new IdentifyException(Fault.PEER, "bad public key in identify: " + e.getMessage(), e);
      }
      if (!remote.matches(key)) {
        throw new IdentifyException(Fault.PEER, "identify public key does not belong to " + remote);
      }
    }
    if (message.hasSignedPeerRecord()) {
      PeerRecord record;
      try {
        record = PeerRecord.fromSignedEnvelope(message.getSignedPeerRecord().toByteArray());
      } catch (P2pException | IllegalArgumentException e) {
        throw new IdentifyException(Fault.PEER, "bad signed peer record: " + e.getMessage(), e);
      }
      if (!record.peerId().equals(remote)) {
        throw new IdentifyException(Fault.PEER, "signed peer record is for " + record.peerId()
            + ", not " + remote);
      }
    }
    List<Multiaddr> addrs = new ArrayList<>();
    for (ByteString raw : message.getListenAddrsList()) {
      try {
        addrs.add(Multiaddr.fromBytes(raw.toByteArray()));
      } catch (P2pException | IllegalArgumentException e) {
        LOG.debug("ignoring unparseable listen address from {}: {}", remote, e.getMessage());
      }
    }
    Set<String> protocols = new LinkedHashSet<>(message.getProtocolsList());
    return new PeerInfo(remote, addrs, protocols, message.getProtocolVersion(), message.getAgentVersion());
  }

  static IdentifyProto.Identify parse(byte[] bytes) {
    IdentifyProto.Identify.Builder merged = IdentifyProto.Identify.newBuilder();
    int offset = 0;
    int messages = 0;
    while (offset < bytes.length) {
      long length = Uvarint.read(bytes, offset, bytes.length);
      if (length == Uvarint.NEED_MORE) {
        throw new IdentifyException(Fault.PEER, "identify stream ends inside a length prefix");
      }
      offset += Uvarint.encodedLength(length);
      if (length > MAX_MESSAGE_BYTES || length > bytes.length - offset) {
        throw new IdentifyException(Fault.PEER, "identify message of " + length + " bytes is too long or cut off");
      }
      if (++messages > MAX_MESSAGES) {
        throw new IdentifyException(Fault.PEER, "more than " + MAX_MESSAGES + " identify messages");
      }
      try {
        merged.mergeFrom(bytes, offset, (int) length);
      } catch (InvalidProtocolBufferException e) {
        throw new IdentifyException(Fault.PEER, "malformed identify message: " + e.getMessage(), e);
      }
      offset += (int) length;
    }
    if (messages == 0) {
      throw new IdentifyException(Fault.PEER, "empty identify response");
    }
    return merged.build();
  }
}
