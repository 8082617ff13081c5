package io.disjoint.staking.codec;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.apache.tuweni.bytes.Bytes32;

/** SHA-256 with one digest per thread (creating a MessageDigest costs more than hashing 300 B). */
public final class Sha256 {
  private static final ThreadLocal<MessageDigest> DIGEST =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("the JDK has no SHA-256", e);
            }
          });

  private Sha256() {}

  public static Bytes32 hash(byte[]... parts) {
    MessageDigest d = DIGEST.get();
    d.reset();
    for (byte[] p : parts) {
      d.update(p);
    }
    return Bytes32.wrap(d.digest());
  }
}
