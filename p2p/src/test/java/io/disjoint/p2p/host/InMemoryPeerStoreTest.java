package io.disjoint.p2p.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.disjoint.p2p.api.PeerInfo;
import io.disjoint.p2p.crypto.KeyType;
import io.disjoint.p2p.crypto.PeerId;
import io.disjoint.p2p.crypto.PrivKey;
import io.disjoint.p2p.multiaddr.Multiaddr;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryPeerStoreTest {
  private final PeerId peer = PrivKey.generate(KeyType.ED25519, new SecureRandom()).peerId();

  @Test
  void mergesAddressesWithoutPeerIdAndCapsThem() {
    InMemoryPeerStore store = new InMemoryPeerStore();
    Multiaddr a = Multiaddr.parse("/ip4/10.0.0.1/tcp/1");
    store.addAddrs(peer, List.of(a.withPeerId(peer)));
    store.addAddrs(peer, List.of(a, Multiaddr.parse("/ip4/10.0.0.2/tcp/2")));
    assertEquals(2, store.addrs(peer).size(), "duplicates merged, /p2p stripped");
    List<Multiaddr> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(Multiaddr.parse("/ip4/10.1.0." + i + "/tcp/" + (1000 + i)));
    }
    store.addAddrs(peer, many);
    assertEquals(InMemoryPeerStore.MAX_ADDRS_PER_PEER, store.addrs(peer).size());
  }

  @Test
  void identifyInfoReplacesProtocolsAndKeepsAddresses() {
    InMemoryPeerStore store = new InMemoryPeerStore();
    Multiaddr a = Multiaddr.parse("/ip4/10.0.0.1/tcp/1");
    store.putInfo(new PeerInfo(peer, List.of(a), Set.of("/a/1"), "ipfs/0.1.0", "x/1"));
    store.putInfo(new PeerInfo(peer, List.of(), Set.of("/b/1"), "ipfs/0.1.0", "x/2"));
    assertEquals(Set.of("/b/1"), store.protocols(peer));
    assertEquals("x/2", store.info(peer).orElseThrow().agentVersion());
    assertEquals(List.of(a), store.addrs(peer));
    assertTrue(store.peers().contains(peer));
  }
}
