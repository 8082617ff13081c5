package io.disjoint.p2p.multiaddr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.wire.DecodeException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MultiaddrTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String PEER = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

  @ParameterizedTest
  @CsvSource({
    // addressing/README.md and the multiaddr spec's examples
    "/ip4/192.0.2.42/tcp/443, 04c000022a0601bb",
    "/ip4/127.0.0.1/tcp/4321, 047f0000010610e1",
    "/ip4/127.0.0.1/udp/1234, 047f000001910204d2",
    "/ip6/::1/tcp/4001, 2900000000000000000000000000000001060fa1",
    "/dns4/example.com/tcp/80, 360b6578616d706c652e636f6d060050",
    "/ip4/1.2.3.4/tcp/1/ws, 0401020304060001dd03",
  })
  void textAndBinaryFormsMatchVectors(String text, String hex) {
    Multiaddr fromText = Multiaddr.parse(text);
    assertEquals(hex, HEX.formatHex(fromText.bytes()));
    Multiaddr fromBytes = Multiaddr.fromBytes(HEX.parseHex(hex));
    assertEquals(text, fromBytes.toString());
    assertEquals(fromText, fromBytes);
  }

  @Test
  void p2pComponentCarriesPeerId() {
    Multiaddr addr = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + PEER);
    assertEquals(Optional.of(PeerId.parse(PEER)), addr.peerId());
    assertEquals("/ip4/127.0.0.1/tcp/4001", addr.withoutPeerId().toString());
    assertEquals(addr, addr.withoutPeerId().withPeerId(PeerId.parse(PEER)));
    // binary: code 421 = a503, then length 0x26 and the 38-byte identity multihash
    assertTrue(HEX.formatHex(addr.bytes()).contains("a50326" + "0024"));
    assertEquals(addr, Multiaddr.fromBytes(addr.bytes()));
    assertEquals(addr, Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/ipfs/" + PEER));
    PeerId cidParsed = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + PeerId.parse(PEER).toCid()).peerId().orElseThrow();
    assertEquals(PeerId.parse(PEER), cidParsed);
    assertEquals(Optional.empty(), Multiaddr.parse("/ip4/127.0.0.1/tcp/1").peerId());
  }

  @Test
  void ip6TextIsCanonical() {
    assertEquals("/ip6/2001:db8::1/tcp/1", Multiaddr.parse("/ip6/2001:0db8:0:0:0:0:0:1/tcp/1").toString());
    assertEquals("/ip6/::/tcp/1", Multiaddr.parse("/ip6/0:0:0:0:0:0:0:0/tcp/1").toString());
    assertEquals("/ip6/1:0:1:0:1:0:1:0", Multiaddr.parse("/ip6/1:0:1:0:1:0:1:0").toString());
    assertEquals("/ip6/::ffff:102:304", Multiaddr.parse("/ip6/::ffff:1.2.3.4").toString());
    assertEquals("/ip6/fe80::1:0:0:0", Multiaddr.parse("/ip6/fe80:0:0:0:1::").toString());
  }

  @Test
  void socketAddressConversions() throws Exception {
    InetSocketAddress sa = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + PEER).toTcpSocketAddress();
    assertEquals(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), sa.getAddress());
    assertEquals(4001, sa.getPort());
    InetSocketAddress dns = Multiaddr.parse("/dns/node.example/tcp/9000").toTcpSocketAddress();
    assertTrue(dns.isUnresolved());
    assertEquals("node.example", dns.getHostString());
    assertThrows(P2pException.class, () -> Multiaddr.parse("/ip4/127.0.0.1/udp/1").toTcpSocketAddress());
    assertThrows(P2pException.class, () -> Multiaddr.parse("/ip4/127.0.0.1/tcp/1/ws").toTcpSocketAddress());
    assertEquals("/ip4/10.0.0.1/tcp/5", Multiaddr.fromTcp(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 5)).toString());
    InetAddress v6 = InetAddress.getByAddress(HEX.parseHex("00000000000000000000000000000001"));
    assertEquals("/ip6/::1/tcp/7", Multiaddr.fromTcp(new InetSocketAddress(v6, 7)).toString());
    assertEquals("/dns/h.example/tcp/8", Multiaddr.fromTcp(InetSocketAddress.createUnresolved("h.example", 8)).toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
    "ip4/1.2.3.4; must start",
    "/ip4/1.2.3; IPv4",
    "/ip4/1.2.3.256; out of range",
    "/ip4/01.2.3.4; invalid",
    "/tcp/65536; out of range",
    "/tcp; ends before",
    "/quux/1; unknown multiaddr protocol 'quux'",
    "/ip6/1::2::3; more than one",
    "/p2p/notapeerid; peer id",
  })
  void rejectsBadText(String text, String messagePart) {
    DecodeException e = assertThrows(DecodeException.class, () -> Multiaddr.parse(text));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  @Test
  void rejectsBadBinary() {
    DecodeException unknown = assertThrows(DecodeException.class, () -> Multiaddr.fromBytes(HEX.parseHex("7f00")));
    assertTrue(unknown.getMessage().contains("unknown multiaddr protocol code 127"), unknown.getMessage());
    assertThrows(DecodeException.class, () -> Multiaddr.fromBytes(HEX.parseHex("047f0000")));
    assertThrows(DecodeException.class, () -> Multiaddr.fromBytes(HEX.parseHex("360b6578")));
    assertThrows(DecodeException.class, () -> Multiaddr.fromBytes(new byte[0]));
    assertThrows(DecodeException.class, () -> Multiaddr.fromBytes(HEX.parseHex("3600")));
    assertThrows(DecodeException.class, () -> Multiaddr.fromBytes(HEX.parseHex("3601" + "2f")));
  }

  @Property(tries = 300)
  void roundTripsGeneratedAddresses(@ForAll("addresses") Multiaddr addr) {
    assertEquals(addr, Multiaddr.parse(addr.toString()));
    assertEquals(addr, Multiaddr.fromBytes(addr.bytes()));
    assertEquals(addr.toString(), Multiaddr.fromBytes(addr.bytes()).toString());
  }

  @Property(tries = 1000)
  void mutatedBytesEitherParseOrFailCleanly(@ForAll("addresses") Multiaddr addr, @ForAll int position, @ForAll byte value) {
    byte[] bytes = addr.bytes();
    bytes[Math.floorMod(position, bytes.length)] = value;
    try {
      Multiaddr parsed = Multiaddr.fromBytes(bytes);
      assertArrayEquals(bytes, parsed.bytes());
    } catch (DecodeException expected) {
      assertFalse(expected.getMessage().isEmpty());
    }
  }

  @Property(tries = 1000)
  void arbitraryTextEitherParsesOrFailsCleanly(@ForAll("multiaddrLikeText") String text) {
    try {
      Multiaddr parsed = Multiaddr.parse(text);
      assertEquals(parsed, Multiaddr.parse(parsed.toString()));
    } catch (DecodeException expected) {
      assertFalse(expected.getMessage().isEmpty());
    }
  }

  @Provide
  Arbitrary<String> multiaddrLikeText() {
    Arbitrary<String> token = Arbitraries.oneOf(
        Arbitraries.of("ip4", "ip6", "tcp", "udp", "dns", "dns4", "p2p", "ws", "1.2.3.4", "::1", "80", "65536", PEER, "", "x"),
        Arbitraries.strings().ofMaxLength(6));
    return token.list().ofMaxSize(7).map(l -> "/" + String.join("/", l));
  }

  @Provide
  Arbitrary<Multiaddr> addresses() {
    Arbitrary<String> host = Arbitraries.oneOf(
        Arbitraries.integers().between(0, 255).list().ofSize(4)
            .map(l -> "/ip4/" + l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3)),
        Arbitraries.bytes().array(byte[].class).ofSize(16)
            .map(b -> "/ip6/" + AddressCodec.ip6ToText(b)),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20)
            .map(s -> "/dns4/" + s + ".example"));
    Arbitrary<String> transport = Combinators.combine(Arbitraries.of("tcp", "udp"), Arbitraries.integers().between(0, 65535))
        .as((t, p) -> "/" + t + "/" + p);
    Arbitrary<String> suffix = Arbitraries.of("", "/ws", "/p2p/" + PEER, "/quic-v1", "/tls/ws/p2p/" + PEER);
    return Combinators.combine(host, transport, suffix).as((h, t, s) -> Multiaddr.parse(h + t + s));
  }
}
