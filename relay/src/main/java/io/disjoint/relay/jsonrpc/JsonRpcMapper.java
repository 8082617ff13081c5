package io.disjoint.relay.jsonrpc;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * Jackson set up for JSON-RPC: numbers kept exact (decimals as BigDecimal with the client's scale, big integers as
 * BigInteger),
 * nesting depth bounded. Mappers are thread-safe; build one per limit set and share it.
 */
public final class JsonRpcMapper {
  /** Shared mapper for writing and for trusted JSON (default nesting limit). */
  public static final ObjectMapper SHARED = create(StreamReadConstraints.DEFAULT_MAX_DEPTH);

  private JsonRpcMapper() {}

  public static ObjectMapper create(int maxNestingDepth) {
    var factory =
        new JsonFactoryBuilder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(maxNestingDepth).build())
            .build();
    factory.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
        .build();
  }
}
