package io.disjoint.node.payment;

import io.disjoint.staking.codec.Sha256;
import io.disjoint.staking.receipt.Account;
import io.disjoint.staking.receipt.SignerDirectory;
import org.apache.tuweni.bytes.Bytes;

/**
 * Signer authorization until a ledger is wired in: a gateway pays from the account derived from
 * its own node key (the last 20 bytes of SHA-256 of the marshalled public key), so a key can sign
 * only for its own account and nobody can sign for another gateway's.
 */
public final class KeyDerivedSigners implements SignerDirectory {
  public static Account accountOf(Bytes marshalledPublicKey) {
    return new Account(Sha256.hash(marshalledPublicKey.toArrayUnsafe()).slice(12, Account.SIZE));
  }

  @Override
  public SignerStatus signerStatus(Account payer, Bytes signerKey, long nowMs) {
    return accountOf(signerKey).equals(payer) ? SignerStatus.ACTIVE : SignerStatus.UNKNOWN;
  }
}
