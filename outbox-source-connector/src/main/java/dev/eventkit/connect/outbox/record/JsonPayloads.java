package dev.eventkit.connect.outbox.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses payload text as JSON and turns it into schemaless Connect values.
 *
 * <p>Parsing never rounds a number: integers become int, long or BigInteger nodes as their size
 * needs, and every number written with a fraction or an exponent becomes a BigDecimal with the
 * scale it is written with ({@code 19.50} keeps scale 2).
 *
 * <p>Schemaless values ({@link #toSchemaless}) are what JsonConverter with {@code
 * schemas.enable=false} writes back as the same JSON. That converter writes only Long and Double as
 * JSON numbers (it rejects BigDecimal and BigInteger without a schema), so numbers map as:
 *
 * <ul>
 *   <li>an integer that fits in 64 bits → Long, written with every digit;
 *   <li>a decimal whose Double is written back as the same number ({@code 0.1}, {@code 19.99},
 *       {@code 1e-7}) → Double; trailing zeros and exponent style may change ({@code 19.50} is
 *       written {@code 19.5}), the value does not;
 *   <li>any other number (an integer beyond 64 bits, a decimal with more digits than a double
 *       holds, one out of double range) → a String of its exact decimal digits, e.g. {@code
 *       "12345678901234567.89"}: the only way JsonConverter can carry it without rounding. Such a
 *       field is a JSON string in that event; use {@code payload.format=struct} (Connect Decimal)
 *       or {@code string} when consumers need every number as a JSON number.
 * </ul>
 */
public final class JsonPayloads {

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          // Decimals as BigDecimal with their written scale, never through double.
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private JsonPayloads() {}

  /** Parses one JSON document; throws with Jackson's location of the problem. */
  public static JsonNode parse(String text) throws JsonProcessingException {
    return MAPPER.readTree(text);
  }

  /**
   * Converts a document into the values JsonConverter writes back as the same JSON with
   * schemas.enable=false: objects as insertion-ordered Maps, arrays as Lists, numbers as described
   * in the class comment (Long, Double, or the exact digits as a String).
   */
  public static Object toSchemaless(JsonNode node) {
    switch (node.getNodeType()) {
      case NULL:
      case MISSING:
        return null;
      case BOOLEAN:
        return node.booleanValue();
      case NUMBER:
        return schemalessNumber(node);
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

  private static Object schemalessNumber(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.canConvertToLong()
          ? (Object) node.longValue()
          : node.bigIntegerValue().toString();
    }
    if (node.isDouble() || node.isFloat()) {
      // Only a tree parsed elsewhere holds these: the value is a double already.
      return node.doubleValue();
    }
    BigDecimal exact = node.decimalValue();
    Double asDouble = exactDouble(exact);
    return asDouble != null ? (Object) asDouble : exact.toString();
  }

  /**
   * The double whose text, as Jackson (and so JsonConverter) writes it, is numerically {@code
   * value}; null when there is none. Jackson writes a double with {@link Double#toString(double)},
   * whose digits differ by JDK (before JDK 19 some doubles get 17 digits), so the check asks the
   * running JVM rather than counting significant digits.
   */
  static Double exactDouble(BigDecimal value) {
    double d = value.doubleValue();
    if (!Double.isFinite(d)) {
      return null;
    }
    return new BigDecimal(Double.toString(d)).compareTo(value) == 0 ? d : null;
  }
}
