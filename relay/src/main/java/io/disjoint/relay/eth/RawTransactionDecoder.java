package io.disjoint.relay.eth;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.tuweni.bytes.Bytes;
import org.apache.tuweni.bytes.Bytes32;
import org.apache.tuweni.rlp.RLP;
import org.apache.tuweni.rlp.RLPException;
import org.apache.tuweni.rlp.RLPReader;
import org.apache.tuweni.rlp.RLPWriter;

/**
 * Decodes the argument of {@code eth_sendRawTransaction}: a legacy RLP list, or an EIP-2718 typed
 * envelope (type byte, then an RLP list) of types 1 (EIP-2930), 2 (EIP-1559), 3 (EIP-4844, plain
 * or in its network form with blobs) and 4 (EIP-7702). RLP is read with Tuweni in strict mode
 * (canonical lengths), quantities must be canonical (no leading zero bytes, at most 32 bytes),
 * nothing may trail the list, and nesting is limited to what transactions use. The signing hash
 * is rebuilt from the decoded fields so the sender can be recovered.
 */
public final class RawTransactionDecoder {
  /** Largest raw transaction accepted (geth's pool limit for a blob transaction is ~1 MiB). */
  public static final int MAX_SIZE = 2 * 1024 * 1024;
  private static final int MAX_DEPTH = 4;

  private RawTransactionDecoder() {}

  /** Decodes {@code 0x}-prefixed hex, as JSON-RPC carries it. */
  public static RawTransaction decodeHex(String hex) {
    if (hex == null || !hex.startsWith("0x") || hex.length() % 2 != 0) {
      throw new InvalidTransactionException("raw transaction must be 0x-prefixed hex with an even number of digits");
    }
    if (hex.length() > 2 + 2L * MAX_SIZE) {
      throw new InvalidTransactionException("raw transaction is larger than " + MAX_SIZE + " bytes");
    }
    try {
      return decode(Bytes.fromHexString(hex));
    } catch (IllegalArgumentException e) {
      throw new InvalidTransactionException("raw transaction is not valid hex", e);
    }
  }

  public static RawTransaction decode(Bytes raw) {
    if (raw.isEmpty()) {
      throw new InvalidTransactionException("raw transaction is empty");
    }
    if (raw.size() > MAX_SIZE) {
      throw new InvalidTransactionException("raw transaction is larger than " + MAX_SIZE + " bytes");
    }
    int first = raw.get(0) & 0xff;
    if (first >= 0xc0) {
      return legacy(raw, list(raw, "legacy transaction"));
    }
    if (first > 0x7f) {
      throw new InvalidTransactionException("raw transaction starts with 0x" + Integer.toHexString(first)
          + ": neither a transaction type (0x00-0x7f) nor an RLP list");
    }
    List<Object> fields = list(raw.slice(1), "type " + first + " transaction");
    Bytes hashed = raw;
    if (first == 3 && !fields.isEmpty() && fields.get(0) instanceof List<?> inner) {
      // Network form: [tx_payload_body, blobs, commitments, proofs]; the hash covers the body only.
      if (fields.size() != 4) {
        throw new InvalidTransactionException("blob transaction network form must have 4 items, got " + fields.size());
      }
      fields = asList(inner, "blob transaction body");
      hashed = Bytes.concatenate(Bytes.of(3), encode(fields));
    }
    Bytes32 hash = Bytes32.wrap(Keccak.keccak256(hashed.toArrayUnsafe()));
    return switch (first) {
      case 1 -> typed(1, fields, 11, 3, -1, -1, hash);
      case 2 -> typed(2, fields, 12, 4, -1, -1, hash);
      case 3 -> typed(3, fields, 14, 4, 10, -1, hash);
      case 4 -> typed(4, fields, 13, 4, -1, 9, hash);
      default -> throw new InvalidTransactionException("unsupported transaction type 0x" + Integer.toHexString(first));
    };
  }

  private static RawTransaction legacy(Bytes raw, List<Object> f) {
    expectSize(f, 9, "legacy transaction");
    BigInteger v = scalar(f.get(6), "v");
    Optional<BigInteger> chainId;
    int yParity;
    List<Object> signed = new ArrayList<>(f.subList(0, 6));
    if (v.equals(BigInteger.valueOf(27)) || v.equals(BigInteger.valueOf(28))) {
      chainId = Optional.empty();
      yParity = v.intValue() - 27;
    } else if (v.compareTo(BigInteger.valueOf(35)) >= 0) {
      BigInteger id = v.subtract(BigInteger.valueOf(35)).shiftRight(1);
      chainId = Optional.of(id);
      yParity = v.testBit(0) ? 0 : 1;
      signed.add(Bytes.wrap(id.signum() == 0 ? new byte[0] : unsigned(id)));
      signed.add(Bytes.EMPTY);
      signed.add(Bytes.EMPTY);
    } else {
      throw new InvalidTransactionException("legacy transaction v must be 27, 28 or at least 35 (EIP-155), got " + v);
    }
    Bytes32 signingHash = Bytes32.wrap(Keccak.keccak256(encode(signed).toArrayUnsafe()));
    return new RawTransaction(0, chainId, scalar(f.get(0), "nonce"), scalar(f.get(2), "gas limit"),
        to(f.get(3), true), scalar(f.get(4), "value"), bytes(f.get(5), "data").size(), List.of(), List.of(),
        Bytes32.wrap(Keccak.keccak256(raw.toArrayUnsafe())), signingHash, yParity,
        scalar(f.get(7), "r"), scalar(f.get(8), "s"));
  }

  /**
   * Types 1-4 share the layout [chainId, nonce, fee fields..., gasLimit, to, value, data,
   * accessList, type-specific..., yParity, r, s].
   */
  private static RawTransaction typed(int type, List<Object> f, int size, int gasIndex, int blobHashesIndex,
      int authorizationIndex, Bytes32 hash) {
    String what = "type " + type + " transaction";
    expectSize(f, size, what);
    Optional<Address> to = to(f.get(gasIndex + 1), type <= 2);
    if (blobHashesIndex >= 0 && asList(f.get(blobHashesIndex), "blob versioned hashes").isEmpty()) {
      throw new InvalidTransactionException("blob transaction without blob versioned hashes");
    }
    List<Address> delegations = new ArrayList<>();
    if (authorizationIndex >= 0) {
      List<Object> auths = asList(f.get(authorizationIndex), "authorization list");
      if (auths.isEmpty()) {
        throw new InvalidTransactionException("set-code transaction with an empty authorization list");
      }
      for (Object auth : auths) {
        List<Object> tuple = asList(auth, "authorization");
        expectSize(tuple, 6, "authorization");
        delegations.add(address(tuple.get(1), "authorization address"));
      }
    }
    List<Address> accessListAddresses = new ArrayList<>();
    for (Object entry : asList(f.get(gasIndex + 4), "access list")) {
      List<Object> pair = asList(entry, "access list entry");
      expectSize(pair, 2, "access list entry");
      accessListAddresses.add(address(pair.get(0), "access list address"));
      for (Object key : asList(pair.get(1), "storage keys")) {
        if (bytes(key, "storage key").size() != 32) {
          throw new InvalidTransactionException("access list storage key must be 32 bytes");
        }
      }
    }
    int parity = scalar(f.get(size - 3), "y parity").intValueExact();
    Bytes payload = Bytes.concatenate(Bytes.of(type), encode(f.subList(0, size - 3)));
    Bytes32 signingHash = Bytes32.wrap(Keccak.keccak256(payload.toArrayUnsafe()));
    return new RawTransaction(type, Optional.of(scalar(f.get(0), "chain id")), scalar(f.get(1), "nonce"),
        scalar(f.get(gasIndex), "gas limit"), to, scalar(f.get(gasIndex + 2), "value"),
        bytes(f.get(gasIndex + 3), "data").size(), accessListAddresses, delegations, hash, signingHash,
        parity, scalar(f.get(size - 2), "r"), scalar(f.get(size - 1), "s"));
  }

  private static List<Object> list(Bytes encoded, String what) {
    try {
      return RLP.decode(encoded, false, reader -> {
        if (!reader.nextIsList()) {
          throw new InvalidTransactionException(what + " is not an RLP list");
        }
        Object items = read(reader, 0);
        if (!reader.isComplete()) {
          throw new InvalidTransactionException(what + " has " + reader.remaining() + " bytes after its RLP list");
        }
        return asList(items, what);
      });
    } catch (RLPException e) {
      throw new InvalidTransactionException(what + " is not valid RLP: " + e.getMessage(), e);
    }
  }

  private static Object read(RLPReader reader, int depth) {
    if (!reader.nextIsList()) {
      return reader.readValue(false);
    }
    if (depth >= MAX_DEPTH) {
      throw new InvalidTransactionException("RLP nested deeper than a transaction can be (" + MAX_DEPTH + " levels)");
    }
    return reader.readList(false, inner -> {
      List<Object> items = new ArrayList<>();
      while (!inner.isComplete()) {
        items.add(read(inner, depth + 1));
      }
      return items;
    });
  }

  private static Bytes encode(List<?> items) {
    return RLP.encodeList(w -> items.forEach(item -> write(w, item)));
  }

  private static void write(RLPWriter w, Object item) {
    if (item instanceof Bytes b) {
      w.writeValue(b);
    } else {
      w.writeList(inner -> ((List<?>) item).forEach(x -> write(inner, x)));
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object item, String what) {
    if (!(item instanceof List<?> l)) {
      throw new InvalidTransactionException(what + " must be an RLP list");
    }
    return (List<Object>) l;
  }

  private static Bytes bytes(Object item, String what) {
    if (!(item instanceof Bytes b)) {
      throw new InvalidTransactionException(what + " must be an RLP string, not a list");
    }
    return b;
  }

  private static BigInteger scalar(Object item, String what) {
    Bytes b = bytes(item, what);
    if (b.size() > 32) {
      throw new InvalidTransactionException(what + " is longer than 32 bytes");
    }
    if (b.size() > 0 && b.get(0) == 0) {
      throw new InvalidTransactionException(what + " has a leading zero byte (non-canonical)");
    }
    return new BigInteger(1, b.toArrayUnsafe());
  }

  private static Address address(Object item, String what) {
    Bytes b = bytes(item, what);
    if (b.size() != Address.SIZE) {
      throw new InvalidTransactionException(what + " must be 20 bytes, got " + b.size());
    }
    return new Address(b);
  }

  private static Optional<Address> to(Object item, boolean creationAllowed) {
    Bytes b = bytes(item, "to");
    if (b.isEmpty()) {
      if (!creationAllowed) {
        throw new InvalidTransactionException("this transaction type cannot create a contract: to is required");
      }
      return Optional.empty();
    }
    return Optional.of(address(item, "to"));
  }

  private static void expectSize(List<Object> items, int size, String what) {
    if (items.size() != size) {
      throw new InvalidTransactionException(what + " must have " + size + " fields, got " + items.size());
    }
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] b = value.toByteArray();
    return b[0] == 0 && b.length > 1 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
  }
}
