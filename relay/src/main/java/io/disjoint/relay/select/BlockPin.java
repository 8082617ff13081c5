package io.disjoint.relay.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.disjoint.relay.route.MethodRule;

/**
 * Rewrites the block parameter of a quorum read on "latest" to one concrete block. Peers whose
 * heads differ by a block answer "latest" differently although every one of them is honest; at a
 * pinned block they must agree, so a disagreement there is evidence of a wrong answer
 * (docs/selection.md, "Pinning latest").
 */
final class BlockPin {
  private BlockPin() {}

  /**
   * Whether the request reads at "latest" in the block slot {@code blockParam}: the slot holds the
   * string {@code latest}, or it is the first slot left out (the method then reads at latest).
   */
  static boolean readsLatest(ObjectNode request, int blockParam) {
    if (blockParam == MethodRule.NO_BLOCK_PARAM) {
      return false;
    }
    JsonNode params = request.get("params");
    if (params == null || !params.isArray()) {
      return false; // a block-taking method without a params array is the client's error to see
    }
    if (params.size() == blockParam) {
      return true;
    }
    JsonNode slot = params.get(blockParam);
    return slot != null && slot.isTextual() && slot.textValue().equals("latest");
  }

  /** A copy of the request reading at {@code block} instead of latest. */
  static ObjectNode pinned(ObjectNode request, int blockParam, long block) {
    ObjectNode copy = request.deepCopy();
    ArrayNode params = (ArrayNode) copy.get("params");
    String quantity = "0x" + Long.toHexString(block);
    if (params.size() == blockParam) {
      params.add(quantity);
    } else {
      params.set(blockParam, quantity);
    }
    return copy;
  }
}
