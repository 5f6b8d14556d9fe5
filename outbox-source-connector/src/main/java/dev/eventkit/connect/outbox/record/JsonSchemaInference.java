package dev.eventkit.connect.outbox.record;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

/**
 * Infers a Connect schema from a JSON document and converts the document to match it. The rules,
 * chosen so that inference never fails and equal shapes always give the same schema:
 *
 * <ul>
 *   <li>Every field and element is optional. Object fields are sorted by name.
 *   <li>string → STRING, true/false → BOOLEAN, integer → INT64, decimal → FLOAT64, object → STRUCT
 *       (an empty object is a STRUCT without fields).
 *   <li>null carries no type: a field that is null (everywhere it appears) is an optional STRING
 *       holding null.
 *   <li>Arrays: the element schema merges the schemas of all elements. INT64 with FLOAT64 gives
 *       FLOAT64; STRUCTs merge into one STRUCT with the union of their fields; an empty array, or
 *       one of nulls only, has STRING elements.
 *   <li>Elements (or fields of merged STRUCTs) whose types still conflict, such as {@code [1, "a",
 *       {"b": 2}]}, become STRING, and every non-string value there is written as its JSON text
 *       ({@code ["1", "a", "{\"b\":2}"]}): nothing is dropped.
 *   <li>Integers beyond 64 bits are rejected (a poison row), never rounded.
 * </ul>
 *
 * <p>Derived schemas are interned in a bounded LRU cache, so events of one shape share one schema
 * instance and converters downstream hit their own caches.
 */
public final class JsonSchemaInference {

  /** Placeholder during inference for "only nulls seen here"; never leaves this class. */
  private static final Schema NULL_ONLY =
      SchemaBuilder.string().optional().name("dev.eventkit.NullOnly").build();

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

  /** The schema and converted value of a parsed JSON document. */
  public SchemaAndValue toConnect(JsonNode document) {
    Schema schema = intern(resolve(infer(document)));
    return new SchemaAndValue(schema, convert(document, schema));
  }

  private Schema intern(Schema schema) {
    Schema cached = cache.putIfAbsent(schema, schema);
    return cached == null ? schema : cached;
  }

  int cachedSchemas() {
    return cache.size();
  }

  private static Schema infer(JsonNode node) {
    switch (node.getNodeType()) {
      case NULL:
      case MISSING:
        return NULL_ONLY;
      case BOOLEAN:
        return Schema.OPTIONAL_BOOLEAN_SCHEMA;
      case NUMBER:
        return node.isIntegralNumber()
            ? Schema.OPTIONAL_INT64_SCHEMA
            : Schema.OPTIONAL_FLOAT64_SCHEMA;
      case OBJECT:
        {
          Map<String, Schema> fields = new TreeMap<>();
          Iterator<Map.Entry<String, JsonNode>> it = node.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> field = it.next();
            fields.put(field.getKey(), infer(field.getValue()));
          }
          return struct(fields);
        }
      case ARRAY:
        {
          Schema element = NULL_ONLY;
          for (JsonNode item : node) {
            element = merge(element, infer(item));
          }
          return SchemaBuilder.array(element).optional().build();
        }
      default:
        // STRING, BINARY, POJO: text.
        return Schema.OPTIONAL_STRING_SCHEMA;
    }
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
    Schema.Type ta = a.type();
    Schema.Type tb = b.type();
    if (isNumber(ta) && isNumber(tb)) {
      return Schema.OPTIONAL_FLOAT64_SCHEMA;
    }
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

  private static boolean isNumber(Schema.Type type) {
    return type == Schema.Type.INT64 || type == Schema.Type.FLOAT64;
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
      case FLOAT64:
        return node.doubleValue();
      case BOOLEAN:
        return node.booleanValue();
      default:
        return node.isTextual() ? node.textValue() : node.toString();
    }
  }
}
