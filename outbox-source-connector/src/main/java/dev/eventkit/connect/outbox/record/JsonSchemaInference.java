package dev.eventkit.connect.outbox.record;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Infers a Connect schema from a JSON document and converts the document to match it. The rules,
 * chosen so that inference never fails on valid JSON of sane size, equal shapes always give the
 * same schema, and no number is ever rounded:
 *
 * <ul>
 *   <li>Every field and element is optional. Object fields are sorted by name.
 *   <li>string → STRING, true/false → BOOLEAN, object → STRUCT (an empty object is a STRUCT without
 *       fields).
 *   <li>Numbers: an integer that fits in 64 bits → INT64; an integer beyond 64 bits → Connect
 *       {@link Decimal} of scale 0; a number written with a fraction or an exponent → Connect
 *       {@link Decimal} whose scale is the number of digits after the point as written ({@code
 *       19.99} and {@code 19.50} scale 2, {@code 0.1} scale 1, {@code 1e5} scale 0, {@code 1.5E-7}
 *       scale 8). No number goes through {@code double}. The schema of a field therefore depends on
 *       how many decimals the event writes: writers that always write the same number of decimals
 *       for a field ({@code 19.50}, not {@code 19.5}) get one schema for it.
 *   <li>null carries no type: a field that is null (everywhere it appears) is an optional STRING
 *       holding null.
 *   <li>Arrays: the element schema merges the schemas of all elements. Numbers merge into one
 *       number schema: INT64 with INT64 stays INT64; anything else is a Decimal with the largest
 *       scale seen, and every value there is rescaled to it exactly ({@code [1, 2.5, 0.125]} →
 *       Decimal scale 3: {@code 1.000, 2.500, 0.125}). STRUCTs merge into one STRUCT with the union
 *       of their fields (merged the same way); an empty array, or one of nulls only, has STRING
 *       elements.
 *   <li>Elements (or fields of merged STRUCTs) whose types still conflict, such as {@code [1, "a",
 *       {"b": 2}]}, become STRING, and every non-string value there is written as its JSON text
 *       ({@code ["1", "a", "{\"b\":2}"]}), numbers with their exact digits: nothing is dropped.
 *   <li>A document nested more than 100 levels deep is refused with an {@link
 *       IllegalArgumentException} (a poison row): converters cannot write a schema that deep
 *       (JsonConverter with {@code schemas.enable=true} fails near 330 levels, which would stop the
 *       task instead).
 *   <li>An object field with an empty name (which no Connect Struct field can have) is refused with
 *       an {@link IllegalArgumentException} (a poison row): {@code payload.format=json} or {@code
 *       string} keeps such a document.
 *   <li>A number needing more than 1000 digits before or after the decimal point (only exponent
 *       notation such as {@code 1e999999999} can write one: Jackson limits number text to 1000
 *       characters) is refused with an {@link IllegalArgumentException} (a poison row), never
 *       rounded.
 * </ul>
 *
 * <p>With JsonConverter ({@code schemas.enable=true}), set {@code decimal.format=NUMERIC} to see
 * Decimals as JSON numbers; its default {@code BASE64} writes them as base64 strings of the
 * unscaled bytes (also exact, and read back exactly by JsonConverter).
 *
 * <p>Derived schemas are interned in a bounded LRU cache, so events of one shape share one schema
 * instance and converters downstream hit their own caches.
 */
public final class JsonSchemaInference {

  /** Placeholder during inference for "only nulls seen here"; never leaves this class. */
  private static final Schema NULL_ONLY =
      SchemaBuilder.string().optional().name("dev.eventkit.NullOnly").build();

  /** Deepest nesting of objects and arrays a schema is inferred for. */
  static final int MAX_DEPTH = 100;

  /** Most digits a Decimal may need before or after its point. */
  static final int MAX_DIGITS = 1000;

  /** Decimal schemas of the common scales, so inference does not build one per number. */
  private static final Schema[] DECIMALS = new Schema[19];

  static {
    for (int scale = 0; scale < DECIMALS.length; scale++) {
      DECIMALS[scale] = Decimal.builder(scale).optional().build();
    }
  }

  private final Map<Schema, Schema> cache;

  public JsonSchemaInference(int cacheSize) {
    this.cache =
        Collections.synchronizedMap(
            new LinkedHashMap<>(cacheSize, 0.75f, true) {
              private static final long serialVersionUID = 1L;

              @Override
              protected boolean removeEldestEntry(Map.Entry<Schema, Schema> eldest) {
                return size() > cacheSize;
              }
            });
  }

  /**
   * The schema and converted value of a parsed JSON document.
   *
   * @throws IllegalArgumentException for a number no Decimal of sane size holds (see the class
   *     comment), naming it
   */
  public SchemaAndValue toConnect(JsonNode document) {
    Schema schema = intern(resolve(infer(document, 0)));
    return new SchemaAndValue(schema, convert(document, schema));
  }

  private Schema intern(Schema schema) {
    Schema cached = cache.putIfAbsent(schema, schema);
    return cached == null ? schema : cached;
  }

  int cachedSchemas() {
    return cache.size();
  }

  /** {@code depth}: how many objects and arrays enclose {@code node} (0 for the document). */
  private static Schema infer(JsonNode node, int depth) {
    if (node.isContainerNode() && depth >= MAX_DEPTH) {
      throw new IllegalArgumentException(
          "the document nests objects and arrays more than "
              + MAX_DEPTH
              + " levels deep; converters cannot write a schema that deep (JsonConverter with"
              + " schemas.enable=true stops near 330 levels), payload.format=json or string keeps"
              + " it");
    }
    switch (node.getNodeType()) {
      case NULL:
      case MISSING:
        return NULL_ONLY;
      case BOOLEAN:
        return Schema.OPTIONAL_BOOLEAN_SCHEMA;
      case NUMBER:
        return number(node);
      case OBJECT:
        {
          Map<String, Schema> fields = new TreeMap<>();
          Iterator<Map.Entry<String, JsonNode>> it = node.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().isEmpty()) {
              throw new IllegalArgumentException(
                  "an object has a field with an empty name, which no Connect Struct can hold"
                      + " (payload.format=json or string keeps it)");
            }
            fields.put(field.getKey(), infer(field.getValue(), depth + 1));
          }
          return struct(fields);
        }
      case ARRAY:
        {
          Schema element = NULL_ONLY;
          for (JsonNode item : node) {
            element = merge(element, infer(item, depth + 1));
          }
          return SchemaBuilder.array(element).optional().build();
        }
      default:
        // STRING, BINARY, POJO: text.
        return Schema.OPTIONAL_STRING_SCHEMA;
    }
  }

  private static Schema number(JsonNode node) {
    if (node.isIntegralNumber()) {
      // Jackson's limit on number text bounds the digits of a BigInteger.
      return node.canConvertToLong() ? Schema.OPTIONAL_INT64_SCHEMA : decimal(0);
    }
    BigDecimal value = node.decimalValue();
    int scale = value.scale();
    // Digits before the point once written plainly (zero or less for a value below 1).
    long integerDigits = (long) value.precision() - scale;
    if (scale > MAX_DIGITS || integerDigits > MAX_DIGITS) {
      throw new IllegalArgumentException(
          "number "
              + value
              + " needs more than "
              + MAX_DIGITS
              + " digits before or after the decimal point, so no Decimal can hold it exactly");
    }
    return decimal(Math.max(0, scale));
  }

  private static Schema decimal(int scale) {
    return scale < DECIMALS.length ? DECIMALS[scale] : Decimal.builder(scale).optional().build();
  }

  private static boolean isDecimal(Schema schema) {
    return Decimal.LOGICAL_NAME.equals(schema.name());
  }

  private static int scale(Schema decimal) {
    return Integer.parseInt(decimal.parameters().get(Decimal.SCALE_FIELD));
  }

  private static Schema struct(Map<String, Schema> sortedFields) {
    SchemaBuilder builder = SchemaBuilder.struct().optional();
    sortedFields.forEach(builder::field);
    return builder.build();
  }

  private static Schema merge(Schema a, Schema b) {
    if (a.equals(b)) {
      return a;
    }
    if (a == NULL_ONLY) {
      return b;
    }
    if (b == NULL_ONLY) {
      return a;
    }
    if (isNumber(a) && isNumber(b)) {
      // Not both INT64 (equal schemas returned above): a Decimal that holds both exactly.
      return decimal(Math.max(isDecimal(a) ? scale(a) : 0, isDecimal(b) ? scale(b) : 0));
    }
    Schema.Type ta = a.type();
    Schema.Type tb = b.type();
    if (ta == Schema.Type.STRUCT && tb == Schema.Type.STRUCT) {
      Map<String, Schema> fields = new TreeMap<>();
      for (Field f : a.fields()) {
        fields.put(f.name(), f.schema());
      }
      for (Field f : b.fields()) {
        fields.merge(f.name(), f.schema(), JsonSchemaInference::merge);
      }
      return struct(fields);
    }
    if (ta == Schema.Type.ARRAY && tb == Schema.Type.ARRAY) {
      return SchemaBuilder.array(merge(a.valueSchema(), b.valueSchema())).optional().build();
    }
    return Schema.OPTIONAL_STRING_SCHEMA;
  }

  private static boolean isNumber(Schema schema) {
    return schema.type() == Schema.Type.INT64 || isDecimal(schema);
  }

  /** Replaces the null-only placeholder with optional STRING everywhere. */
  private static Schema resolve(Schema schema) {
    if (schema == NULL_ONLY) {
      return Schema.OPTIONAL_STRING_SCHEMA;
    }
    switch (schema.type()) {
      case STRUCT:
        {
          Map<String, Schema> fields = new TreeMap<>();
          for (Field f : schema.fields()) {
            fields.put(f.name(), resolve(f.schema()));
          }
          return struct(fields);
        }
      case ARRAY:
        return SchemaBuilder.array(resolve(schema.valueSchema())).optional().build();
      default:
        return schema;
    }
  }

  private static Object convert(JsonNode node, Schema schema) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (isDecimal(schema)) {
      // The schema's scale is the largest seen here, so this only appends zeros.
      return node.decimalValue().setScale(scale(schema), RoundingMode.UNNECESSARY);
    }
    switch (schema.type()) {
      case STRUCT:
        {
          Struct struct = new Struct(schema);
          for (Field field : schema.fields()) {
            struct.put(field, convert(node.get(field.name()), field.schema()));
          }
          return struct;
        }
      case ARRAY:
        {
          List<Object> items = new ArrayList<>(node.size());
          for (JsonNode item : node) {
            items.add(convert(item, schema.valueSchema()));
          }
          return items;
        }
      case INT64:
        return node.longValue();
      case BOOLEAN:
        return node.booleanValue();
      default:
        return node.isTextual() ? node.textValue() : node.toString();
    }
  }
}
