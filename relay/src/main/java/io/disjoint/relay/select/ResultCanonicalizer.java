package io.disjoint.relay.select;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * The form in which quorum answers are compared: object keys sorted, fields known to differ between
 * honest clients dropped, hex strings lower-cased, errors reduced to their code (messages differ by
 * client). Two honest answers to the same pinned request canonicalise to the same string.
 */
public final class ResultCanonicalizer {
  private final Set<String> ignoredFields;

  public ResultCanonicalizer(Set<String> ignoredFields) {
    this.ignoredFields = Set.copyOf(ignoredFields);
  }

  public String canonical(ObjectNode response) {
    JsonNode error = response.get("error");
    if (error != null && !error.isNull()) {
      return "error:" + error.path("code").asText("?");
    }
    StringBuilder sb = new StringBuilder("result:");
    write(response.path("result"), sb);
    return sb.toString();
  }

  private void write(JsonNode node, StringBuilder sb) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      node.properties().forEach(e -> {
        if (!ignoredFields.contains(e.getKey())) {
          sorted.put(e.getKey(), e.getValue());
        }
      });
      sb.append('{');
      boolean first = true;
      for (var e : sorted.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        sb.append('"').append(e.getKey()).append("\":");
        write(e.getValue(), sb);
      }
      sb.append('}');
    } else if (node.isArray()) {
      sb.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(node.get(i), sb);
      }
      sb.append(']');
    } else if (node.isTextual()) {
      String s = node.asText();
      if (s.startsWith("0x") || s.startsWith("0X")) {
        s = s.toLowerCase(Locale.ROOT);
      }
      sb.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
    } else if (node.isMissingNode()) {
      sb.append("null");
    } else {
      sb.append(node.toString());
    }
  }
}
