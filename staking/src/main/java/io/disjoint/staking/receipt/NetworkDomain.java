package io.disjoint.staking.receipt;

import java.util.regex.Pattern;

/**
 * Which network and which version of the receipt rules a signature is for. Part of every signed
 * struct, so a receipt signed for a testnet is worthless on another network.
 *
 * @param networkId 1..64 characters of [a-z0-9._-], e.g. "disjoint-testnet-1"
 * @param version 1..65535; bumped when the meaning of a field changes
 */
public record NetworkDomain(String networkId, int version) {
  private static final Pattern ID = Pattern.compile("[a-z0-9._-]{1,64}");

  public NetworkDomain {
    if (networkId == null || !ID.matcher(networkId).matches()) {
      throw new IllegalArgumentException(
          "network id must be 1..64 characters of [a-z0-9._-]: " + networkId);
    }
    if (version < 1 || version > 0xffff) {
      throw new IllegalArgumentException("domain version must be 1..65535: " + version);
    }
  }

  @Override
  public String toString() {
    return networkId + "/v" + version;
  }
}
