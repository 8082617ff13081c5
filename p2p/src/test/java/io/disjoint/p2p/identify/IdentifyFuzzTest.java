package io.disjoint.p2p.identify;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.disjoint.p2p.P2pException;
import io.disjoint.p2p.crypto.PeerId;

/**
 * Fuzzes the Identify decoder (length prefixes, protobuf, public key, signed peer record) with
 * arbitrary bytes. Only a peer-fault {@link P2pException} may escape. Corpus under
 * src/test/resources replays in every test run.
 */
class IdentifyFuzzTest {
  private static final PeerId REMOTE = PeerId.parse("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");

  @FuzzTest(maxDuration = "5m")
  void fuzzDecode(byte[] input) {
    try {
      IdentifyService.decode(input, REMOTE);
    } catch (P2pException e) {
      if (e.fault() != P2pException.Fault.PEER) {
        throw e;
      }
    }
  }
}
