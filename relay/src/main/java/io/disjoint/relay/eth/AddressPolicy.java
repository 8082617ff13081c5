package io.disjoint.relay.eth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An operator's jurisdiction policy: addresses this node will not relay transactions or calls
 * for (a sanctions list, for instance). A serving node applies it before forwarding and, when it
 * refuses, says so with its own status, so the gateway retries on a node in another failure
 * domain (another country or operator) instead of failing the client: one jurisdiction's list
 * does not take the network down for everyone.
 *
 * <p>What is checked: for {@code eth_sendRawTransaction} (and its {@code Sync} and
 * {@code Conditional} forms) the decoded transaction's destination, access-list addresses,
 * EIP-7702 delegation targets and its recovered sender; for {@code eth_call},
 * {@code eth_estimateGas} and {@code eth_createAccessList} the call object's {@code to} and
 * {@code from}. A raw transaction that cannot be decoded is refused too (fail closed: a node
 * with a list must not relay what it cannot inspect); another node without a list will forward
 * it and return the chain node's own error.
 */
public final class AddressPolicy {
  /** No addresses blocked: nothing is parsed, every request passes. */
  public static final AddressPolicy NONE = new AddressPolicy(Set.of(), "none");

  private static final Set<String> RAW_TRANSACTION_METHODS =
      Set.of("eth_sendRawTransaction", "eth_sendRawTransactionSync", "eth_sendRawTransactionConditional");
  private static final Set<String> CALL_METHODS = Set.of("eth_call", "eth_estimateGas", "eth_createAccessList");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Set<Address> blocked;
  private final String source;

  public AddressPolicy(Set<Address> blocked, String source) {
    this.blocked = Set.copyOf(blocked);
    this.source = source;
  }

  /**
   * Reads a list file: one address per line ({@code 0x} + 40 hex digits; mixed case must be a
   * valid EIP-55 checksum), {@code #} starts a comment, blank lines are ignored.
   *
   * @throws IllegalArgumentException naming the file and line of the first bad entry
   */
  public static AddressPolicy load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read blocked-addresses file " + file + ": " + e.getMessage(), e);
    }
    Set<Address> out = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int hash = line.indexOf('#');
      String entry = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (entry.isEmpty()) {
        continue;
      }
      try {
        out.add(Address.fromHex(entry));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("blocked-addresses file " + file + " line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new AddressPolicy(out, file.getFileName().toString());
  }

  public boolean isEmpty() {
    return blocked.isEmpty();
  }

  public int size() {
    return blocked.size();
  }

  /** Why this node refuses the JSON-RPC payload (one request or a batch), or empty to serve it. */
  public Optional<String> refusal(byte[] payload) {
    if (blocked.isEmpty()) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = JSON.readTree(payload);
    } catch (IOException e) {
      return Optional.empty(); // not JSON: the relay service answers BAD_REQUEST on its own terms
    }
    if (root == null) {
      return Optional.empty();
    }
    if (root.isArray()) {
      for (JsonNode request : root) {
        Optional<String> r = refusalOf(request);
        if (r.isPresent()) {
          return r;
        }
      }
      return Optional.empty();
    }
    return refusalOf(root);
  }

  private Optional<String> refusalOf(JsonNode request) {
    String method = request.path("method").asText("");
    JsonNode first = request.path("params").path(0);
    if (RAW_TRANSACTION_METHODS.contains(method)) {
      RawTransaction tx;
      try {
        tx = RawTransactionDecoder.decodeHex(first.asText(null));
      } catch (InvalidTransactionException e) {
        return Optional.of("this node's address policy cannot inspect the transaction (" + e.getMessage() + ")");
      }
      for (Address a : tx.destinations()) {
        if (blocked.contains(a)) {
          return Optional.of(blockedMessage("transaction destination", a));
        }
      }
      try {
        Address sender = tx.sender();
        if (blocked.contains(sender)) {
          return Optional.of(blockedMessage("transaction sender", sender));
        }
      } catch (InvalidTransactionException e) {
        return Optional.of("this node's address policy cannot inspect the transaction (" + e.getMessage() + ")");
      }
      return Optional.empty();
    }
    if (CALL_METHODS.contains(method) && first.isObject()) {
      for (String field : List.of("to", "from")) {
        JsonNode value = first.get(field);
        if (value != null && value.isTextual()) {
          Optional<Address> a = parse(value.asText());
          if (a.isPresent() && blocked.contains(a.get())) {
            return Optional.of(blockedMessage("call " + field, a.get()));
          }
        }
      }
    }
    return Optional.empty();
  }

  private String blockedMessage(String role, Address a) {
    return role + " " + a + " is on this node's blocked-addresses list (" + source + ")";
  }

  private static Optional<Address> parse(String text) {
    try {
      return Optional.of(Address.fromHex(text.toLowerCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "AddressPolicy[" + blocked.size() + " blocked, from " + source + "]";
  }
}
