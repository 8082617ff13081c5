package io.disjoint.relay.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.disjoint.relay.jsonrpc.JsonRpcError;
import io.disjoint.relay.policy.MethodTable;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One chain the gateway serves: its CAIP-2 id, path aliases, method table, and the answers to the
 * methods the gateway gives itself (LOCAL routing).
 */
record ChainEndpoint(String chainId, List<String> aliases, MethodTable methods, String clientVersion) {

  ChainEndpoint {
    Objects.requireNonNull(chainId, "chainId");
    aliases = List.copyOf(aliases);
    Objects.requireNonNull(methods, "methods");
    Objects.requireNonNull(clientVersion, "clientVersion");
    if (chainId.startsWith("eip155:") && !chainId.substring(7).matches("[0-9]{1,20}")) {
      throw new IllegalArgumentException(
          "gateway.chains: " + chainId + " is not eip155:<decimal chain id>");
    }
  }

  String family() {
    return chainId.substring(0, chainId.indexOf(':'));
  }

  String reference() {
    return chainId.substring(chainId.indexOf(':') + 1);
  }

  /** The result of a LOCAL method, or the error to answer with. */
  sealed interface LocalAnswer {
    record Result(JsonNode value) implements LocalAnswer {}

    record Error(JsonRpcError error) implements LocalAnswer {}
  }

  LocalAnswer answerLocally(String method, Optional<JsonNode> params) {
    if (params.isPresent() && !(params.get().isArray() && params.get().isEmpty())) {
      // geth rejects arguments to argument-less methods the same way
      return new LocalAnswer.Error(
          new JsonRpcError(JsonRpcError.INVALID_PARAMS, "too many arguments, want at most 0"));
    }
    JsonNodeFactory json = JsonNodeFactory.instance;
    boolean evm = family().equals("eip155");
    return switch (method) {
      case "eth_chainId" ->
          evm
              ? new LocalAnswer.Result(json.textNode("0x" + new BigInteger(reference()).toString(16)))
              : unavailable(method);
      case "net_version" -> evm ? new LocalAnswer.Result(json.textNode(reference())) : unavailable(method);
      case "web3_clientVersion" -> new LocalAnswer.Result(json.textNode(clientVersion));
      default -> unavailable(method);
    };
  }

  private static LocalAnswer unavailable(String method) {
    return new LocalAnswer.Error(
        new JsonRpcError(
            JsonRpcError.METHOD_NOT_FOUND,
            "the method " + JsonRpcError.quote(method) + " does not exist/is not available"));
  }
}
