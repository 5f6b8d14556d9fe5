package dev.eventkit.connect.outbox.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses payload text as JSON and turns it into schemaless Connect values. */
public final class JsonPayloads {

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private JsonPayloads() {}

  /** Parses one JSON document; throws with Jackson's location of the problem. */
  public static JsonNode parse(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  /**
   * Converts a document into the values JsonConverter writes back as the same JSON with
   * schemas.enable=false: objects as insertion-ordered Maps, arrays as Lists, integers as Long,
   * decimals as Double.
   *
   * @throws IllegalArgumentException for an integer that does not fit in 64 bits
   */
  public static Object toSchemaless(JsonNode node) {
    switch (node.getNodeType()) {
      case NULL:
      case MISSING:
        return null;
      case BOOLEAN:
        return node.booleanValue();
      case NUMBER:
        if (node.isIntegralNumber()) {
          if (!node.canConvertToLong()) {
            throw new IllegalArgumentException("integer " + node + " does not fit in 64 bits");
          }
          return node.longValue();
        }
        return node.doubleValue();
      case OBJECT:
        {
          Map<String, Object> map = new LinkedHashMap<>();
          Iterator<Map.Entry<String, JsonNode>> it = node.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> field = it.next();
            map.put(field.getKey(), toSchemaless(field.getValue()));
          }
          return map;
        }
      case ARRAY:
        {
          List<Object> list = new ArrayList<>(node.size());
          for (JsonNode item : node) {
            list.add(toSchemaless(item));
          }
          return list;
        }
      default:
        return node.asText();
    }
  }

  /** Throws when any integer in the document needs more than 64 bits. */
  public static void requireLongIntegers(JsonNode node) {
    if (node.isIntegralNumber() && !node.canConvertToLong()) {
      throw new IllegalArgumentException(
          "integer " + new BigInteger(node.asText()) + " does not fit in 64 bits");
    }
    for (JsonNode child : node) {
      requireLongIntegers(child);
    }
  }
}
