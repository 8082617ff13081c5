package io.disjoint.node.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a TOML node configuration whose keys mirror the {@code disjoint run} flags:
 *
 * <pre>
 * data-dir = "data"                  # relative to the file's directory
 * listen   = ["/ip4/0.0.0.0/tcp/4001"]
 * serve    = ["eip155:1=http://127.0.0.1:8545"]
 * gateway  = "127.0.0.1:8600"
 * route    = ["eip155:1"]                 # chains the gateway accepts besides the served ones
 * method-profile = "strict"
 * peer     = ["/ip4/198.51.100.7/tcp/4001/p2p/12D3KooW..."]
 * domain   = "provider=aws,region=us-east-1,country=US,operator=op1,asn=16509"   # or a [domain] table
 * metrics  = "127.0.0.1:9464"
 * key-type = "ed25519"
 * receipts = true
 * blocked-addresses = "blocked.txt"    # relative to the file's directory; served chains refuse them
 * receipt-verify-one-in = 32           # serving node: check 1 receipt signature in N ...
 * receipt-verify-first = 8             # ... after the first N of each gateway
 * receipt-audit-one-in = 64            # gateway: ask for a signed attestation on 1 relay in N
 * receipt-batch = "on"                 # gateway: one signature per receipt batch ("off": per receipt)
 * hedge-budget = 10                    # gateway: hedges add at most 10% extra requests
 * epoch-seconds = 3600                 # the network's epoch length; must equal the ledger's
 * </pre>
 *
 * The result is a builder so flags given on the command line can override the file.
 */
public final class NodeConfigFile {
  private static final Set<String> KEYS = Set.of(
      "data-dir", "listen", "serve", "gateway", "route", "method-profile", "peer", "domain", "metrics", "key-type", "receipts",
      "blocked-addresses", "receipt-verify-one-in", "receipt-verify-first", "receipt-audit-one-in",
      "hedge-budget", "epoch-seconds", "receipt-batch");

  private NodeConfigFile() {}

  public static NodeConfig.Builder load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("--config file does not exist: " + file);
    } catch (IOException e) {
      throw new ConfigException("--config file cannot be read: " + file + ": " + e.getMessage(), e);
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), base);
  }

  /** Parses TOML text; {@code where} names the source in errors, {@code base} resolves data-dir. */
  public static NodeConfig.Builder parse(String toml, String where, Path base) {
    JsonNode root;
    try {
      root = new TomlMapper().readTree(toml);
    } catch (JacksonException e) {
      throw new ConfigException(where + " is not valid TOML: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(where + " must be a TOML table of settings");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (!KEYS.contains(key)) {
        throw new ConfigException(where + ": unknown key '" + key + "' (keys: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    }
    NodeConfig.Builder b = NodeConfig.builder();
    String dataDir = string(root, "data-dir", where);
    if (dataDir != null) {
      Path dir = Path.of(dataDir);
      b.dataDir(dir.isAbsolute() || base == null ? dir : base.resolve(dir));
    }
    strings(root, "listen", where).forEach(b::listen);
    for (String s : strings(root, "serve", where)) {
      b.serve(ServeSpec.parse(s, label("serve", where)));
    }
    String gateway = string(root, "gateway", where);
    if (gateway != null) {
      b.gateway(HostPort.parse(gateway, label("gateway", where)));
    }
    strings(root, "route", where).forEach(b::route);
    String profile = string(root, "method-profile", where);
    if (profile != null) {
      b.methodProfile(profile);
    }
    strings(root, "peer", where).forEach(b::peer);
    JsonNode domain = root.get("domain");
    if (domain != null) {
      if (domain.isTextual()) {
        b.domain(DomainClaim.parse(domain.asText(), label("domain", where)));
      } else if (domain.isObject()) {
        Map<String, String> values = new LinkedHashMap<>();
        domain.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        b.domain(DomainClaim.fromMap(values, label("domain", where)));
      } else {
        throw new ConfigException(label("domain", where) + " must be a string or a table");
      }
    }
    String metrics = string(root, "metrics", where);
    if (metrics != null) {
      b.metrics(HostPort.parse(metrics, label("metrics", where)));
    }
    String keyType = string(root, "key-type", where);
    if (keyType != null) {
      b.keyType(keyType);
    }
    b.receiptSampling(integer(root, "receipt-verify-one-in", where), integer(root, "receipt-verify-first", where),
        integer(root, "receipt-audit-one-in", where));
    String receiptBatch = string(root, "receipt-batch", where);
    if (receiptBatch != null) {
      b.receiptBatch(receiptBatch, label("receipt-batch", where));
    }
    String blocked = string(root, "blocked-addresses", where);
    if (blocked != null) {
      b.blockedAddresses(base == null ? Path.of(blocked) : base.resolve(blocked));
    }
    JsonNode hedgeBudget = root.get("hedge-budget");
    if (hedgeBudget != null) {
      if (!hedgeBudget.isNumber()) {
        throw new ConfigException(label("hedge-budget", where) + " must be a number (a percentage from 0 to 100)");
      }
      b.hedgeBudgetPercent(hedgeBudget.asDouble());
    }
    JsonNode epochSeconds = root.get("epoch-seconds");
    if (epochSeconds != null) {
      if (!epochSeconds.canConvertToLong() || !epochSeconds.isIntegralNumber()) {
        throw new ConfigException(label("epoch-seconds", where) + " must be a whole number of seconds (the ledger's epoch length)");
      }
      try {
        b.epochSeconds(epochSeconds.asLong());
      } catch (ConfigException e) {
        throw new ConfigException(label("epoch-seconds", where) + ": " + e.getMessage(), e);
      }
    }
    JsonNode receipts = root.get("receipts");
    if (receipts != null) {
      if (!receipts.isBoolean()) {
        throw new ConfigException(label("receipts", where) + " must be true or false");
      }
      b.receipts(receipts.asBoolean());
    }
    return b;
  }

  private static String label(String key, String where) {
    return "key '" + key + "' in " + where;
  }

  private static Integer integer(JsonNode root, String key, String where) {
    JsonNode n = root.get(key);
    if (n == null) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new ConfigException(label(key, where) + " must be a whole number");
    }
    return n.asInt();
  }

  private static String string(JsonNode root, String key, String where) {
    JsonNode n = root.get(key);
    if (n == null) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ConfigException(label(key, where) + " must be a string");
    }
    return n.asText();
  }

  private static List<String> strings(JsonNode root, String key, String where) {
    JsonNode n = root.get(key);
    List<String> out = new ArrayList<>();
    if (n == null) {
      return out;
    }
    if (n.isTextual()) {
      out.add(n.asText());
      return out;
    }
    if (!n.isArray()) {
      throw new ConfigException(label(key, where) + " must be a string or an array of strings");
    }
    for (JsonNode item : n) {
      if (!item.isTextual()) {
        throw new ConfigException(label(key, where) + " must contain only strings");
      }
      out.add(item.asText());
    }
    return out;
  }
}
