package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * {@code field:PATH} and {@code key.PATH} sources over hostile record values, by the thousand: one
 * field planted at a path one to three levels deep in a schemaless Map, a Struct, JSON text or JSON
 * bytes, among siblings that are random text, random bytes, numbers JSON cannot hold in a double
 * ({@code 1e400}, 30 digits, {@code 1.50}), NaN, and arrays nested up to 900 deep; the planted
 * field itself text with control characters and lone surrogates, 64 KB text, a number, a boolean,
 * bytes (valid UTF-8 or not), an object, an array, an array nested past JSON's limit, null, or
 * absent. Also values that hold no document at all: random bytes, random text, truncated JSON, JSON
 * that is no object, JSON bytes with one invalid UTF-8 byte, and JSON with a sibling nested past
 * the limit before or after the field.
 *
 * <p>Read by {@link EventMetadata} (as the event id, from the value or the key) and {@link
 * EventVersion} (as the schema version) with {@code on.missing=fail}: what is written is exactly
 * what the record holds (a number as written, a container as equal JSON, bytes as their UTF-8
 * text); what cannot be read is refused with Connect's {@link DataException} naming the option's
 * source, the record, and why (bytes not UTF-8, text not JSON, nesting too deep); nothing else is
 * ever thrown, and nothing overflows the stack.
 */
class FieldPathsPropertiesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WHERE = "topic orders.events";

  /** The record forms a document can take. */
  enum Form {
    MAP,
    STRUCT,
    JSON_TEXT,
    JSON_BYTES
  }

  /** Which transform reads the path, and from where. */
  enum Reader {
    METADATA_VALUE("id.source", "field:", "event.id"),
    METADATA_KEY("id.source", "field:", "event.id"),
    METADATA_KEY_SOURCE("id.source", "key.", "event.id"),
    VERSION_VALUE("version.source", "field:", "event.schema.version");

    final String option;
    final String prefix;
    final String header;

    Reader(String option, String prefix, String header) {
      this.option = option;
      this.prefix = prefix;
      this.header = header;
    }

    boolean readsKey() {
      return this != METADATA_VALUE && this != VERSION_VALUE;
    }

    Transformation<SourceRecord> transform(String path) {
      Map<String, String> config = new HashMap<>();
      config.put("on.missing", "fail");
      config.put(option, prefix + path);
      if (this == VERSION_VALUE) {
        EventVersion<SourceRecord> smt = new EventVersion.Value<>();
        smt.configure(config);
        return smt;
      }
      for (String other :
          List.of(
              "type.source",
              "time.source",
              "source.source",
              "correlation.id.source",
              "causation.id.source")) {
        config.put(other, "");
      }
      EventMetadata<SourceRecord> smt =
          this == METADATA_KEY ? new EventMetadata.Key<>() : new EventMetadata.Value<>();
      smt.configure(config);
      return smt;
    }
  }

  /**
   * What reading the path must give: {@code text} exactly, or JSON equal to {@code json}, or a
   * refusal whose message holds {@code reason} (any reason when empty); {@code anything} for inputs
   * where only "no crash, and a refusal names the source" can be asserted.
   */
  record Expected(String text, String json, String reason, boolean anything) {
    static Expected text(String text) {
      return new Expected(text, null, null, false);
    }

    static Expected json(String json) {
      return new Expected(null, json, null, false);
    }

    static Expected refused(String reason) {
      return new Expected(null, null, reason, false);
    }

    static final Expected ANYTHING = new Expected(null, null, null, true);
  }

  /** A record's key or value and what its path must read as. */
  record Case(String path, Object data, Expected expected, String shown) {
    @Override
    public String toString() {
      return shown;
    }
  }

  @Property(tries = 4_000)
  void aPathReadsWhatTheRecordHoldsOrIsRefusedNamingTheSourceAndWhy(
      @ForAll("cases") Case c, @ForAll Reader reader) {
    Transformation<SourceRecord> smt = reader.transform(c.path());
    Object key = reader.readsKey() ? c.data() : "o-1";
    Object value = reader.readsKey() ? "{}" : c.data();
    SourceRecord in =
        new SourceRecord(
            Map.of("table", "outbox"),
            Map.of("seq", 17L),
            "orders.events",
            null,
            null,
            key,
            null,
            value,
            1L,
            new ConnectHeaders());
    SourceRecord out = null;
    DataException refused = null;
    try {
      out = smt.apply(in);
    } catch (DataException e) {
      refused = e;
    } catch (Throwable other) {
      fail("Neither a record nor a DataException for " + c, other);
    } finally {
      smt.close();
    }

    Expected expected = c.expected();
    if (refused != null) {
      assertThat(refused.getMessage())
          .as("the refusal names the source and the record: " + escaped(c.toString()))
          .contains(reader.option, reader.prefix + c.path(), WHERE);
      assertThat(expected.text() == null && expected.json() == null)
          .as("refused although the record holds a value: " + escaped(refused.getMessage()))
          .isTrue();
      if (expected.reason() != null) {
        assertThat(refused.getMessage()).as("says why").contains(expected.reason());
      }
      return;
    }
    assertThat(expected.reason())
        .as("a value was written where none can be read: " + written(out, reader))
        .isNull();
    String header = written(out, reader);
    if (expected.text() != null) {
      assertThat(header).as(escaped(c.toString())).isEqualTo(expected.text());
    } else if (expected.json() != null) {
      assertThat(tree(header)).as(escaped(c.toString())).isEqualTo(tree(expected.json()));
    }
  }

  /** Control characters and surrogates as {@code \\uXXXX}, so that a failure prints whole. */
  private static String escaped(String text) {
    StringBuilder out = new StringBuilder();
    String shown = text.length() > 400 ? text.substring(0, 400) + "..." : text;
    for (char ch : shown.toCharArray()) {
      out.append(ch < 0x20 || Character.isSurrogate(ch) ? String.format("\\u%04x", (int) ch) : ch);
    }
    return out.toString();
  }

  private static String written(SourceRecord out, Reader reader) {
    Header header = out.headers().lastWithName(reader.header);
    return header == null ? null : (String) header.value();
  }

  private static JsonNode tree(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, documents()),
        Tuple.of(1, noDocument()),
        Tuple.of(1, invalidUtf8InsideJsonBytes()),
        Tuple.of(1, tooDeepSibling()));
  }

  // ---- Documents: a planted field among siblings, in each form ----

  /** A node of a document, rendered to each form. */
  sealed interface Node permits Text, Raw, Bytes, Obj, Deep, Null {}

  record Text(String text) implements Node {}

  /** A number as JSON text, and as the Java value a Map or Struct holds. */
  record Raw(String literal, Object java) implements Node {}

  record Bytes(byte[] bytes, boolean buffer) implements Node {
    @Override
    public String toString() {
      return "Bytes" + Arrays.toString(bytes);
    }
  }

  record Obj(LinkedHashMap<String, Node> fields) implements Node {}

  /** Arrays nested {@code depth} deep around a string. */
  record Deep(int depth) implements Node {}

  record Null() implements Node {}

  static Arbitrary<Case> documents() {
    Arbitrary<String> path = Arbitraries.of("id", "meta.id", "meta.trace.id");
    Arbitrary<Node> planted = planted();
    Arbitrary<List<Tuple.Tuple2<String, Node>>> siblings =
        Combinators.combine(Arbitraries.of("a", "b", "payload", "x-1", ""), noise())
            .as(Tuple::of)
            .list()
            .ofMaxSize(4);
    Arbitrary<Boolean> absent = Arbitraries.of(false, false, false, true);
    return Combinators.combine(path, planted, siblings, absent, Arbitraries.of(Form.values()))
        .as(FieldPathsPropertiesTest::document);
  }

  private static Case document(
      String path,
      Node planted,
      List<Tuple.Tuple2<String, Node>> siblings,
      boolean absent,
      Form f) {
    String[] parts = path.split("\\.");
    LinkedHashMap<String, Node> root = new LinkedHashMap<>();
    for (Tuple.Tuple2<String, Node> sibling : siblings) {
      root.put(sibling.get1(), sibling.get2());
    }
    LinkedHashMap<String, Node> parent = root;
    for (int i = 0; i < parts.length - 1; i++) {
      LinkedHashMap<String, Node> next = new LinkedHashMap<>();
      next.put("z", new Text("sibling of " + parts[i + 1]));
      parent.put(parts[i], new Obj(next));
      parent = next;
    }
    if (!absent) {
      parent.put(parts[parts.length - 1], planted);
    }
    Obj document = new Obj(root);
    Object data =
        switch (f) {
          case MAP -> toJava(document);
          case STRUCT -> toStruct(document);
          case JSON_TEXT -> toJson(document);
          case JSON_BYTES -> toJson(document).getBytes(StandardCharsets.UTF_8);
        };
    Expected expected = absent ? Expected.refused("") : expectation(planted, f, parts.length);
    return new Case(path, data, expected, f + " " + path + " = " + (absent ? "(absent)" : planted));
  }

  /**
   * What the planted node reads as in form {@code f}, inside {@code depth} objects (the top one
   * included): Jackson refuses JSON nested more than 1,000 deep, so an array nested {@code d} deep
   * there is refused once {@code depth + d > 1000}.
   */
  private static Expected expectation(Node planted, Form f, int depth) {
    Expected expected = expectationOf(planted, f, depth);
    // JSON bytes are the text's UTF-8 encoding, which has no lone surrogates: '?' stands for each.
    return f == Form.JSON_BYTES && expected.text() != null
        ? Expected.text(
            new String(expected.text().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        : expected;
  }

  private static Expected expectationOf(Node planted, Form f, int depth) {
    boolean json = f == Form.JSON_TEXT || f == Form.JSON_BYTES;
    if (planted instanceof Text text) {
      return Expected.text(text.text());
    }
    if (planted instanceof Raw raw) {
      return Expected.text(
          json ? raw.literal() : String.valueOf(f == Form.STRUCT ? inStruct(raw) : raw.java()));
    }
    if (planted instanceof Bytes bytes) {
      if (json) {
        return Expected.text(Base64.getEncoder().encodeToString(bytes.bytes()));
      }
      String decoded = strictUtf8(bytes.bytes());
      return decoded == null
          ? Expected.refused("holds bytes that are not UTF-8")
          : decoded(decoded);
    }
    if (planted instanceof Obj obj) {
      // JSON text comes back exactly as written; a Map or Struct as the JSON Jackson writes of it.
      return json
          ? Expected.text(toJson(obj))
          : Expected.json(written(f == Form.STRUCT ? structAsJava(obj) : toJava(obj)));
    }
    if (planted instanceof Deep deep) {
      if (f == Form.STRUCT) {
        return Expected.text(deepJson(deep.depth())); // a Struct holds it as a string field
      }
      // Jackson reads and writes JSON at most 1,000 levels deep: in JSON text the levels above
      // the field count, a Map's field is written on its own.
      if (json ? deep.depth() + depth > 1_000 : deep.depth() > 1_000) {
        return Expected.refused(json ? "not valid JSON" : "cannot be written as JSON");
      }
      return json ? Expected.text(deepJson(deep.depth())) : Expected.json(deepJson(deep.depth()));
    }
    return Expected.refused(""); // null
  }

  private static Expected decoded(String text) {
    return Expected.text(text);
  }

  /** What a Struct field holds for a number or boolean (see {@link #toStruct}). */
  private static Object inStruct(Raw raw) {
    return raw.java() instanceof Boolean ? raw.java() : ((Number) raw.java()).doubleValue();
  }

  /** The Java values {@link #toStruct} puts in a Struct, with Structs as Maps. */
  private static Object structAsJava(Node node) {
    if (node instanceof Obj obj) {
      Map<String, Object> map = new LinkedHashMap<>();
      obj.fields().forEach((k, v) -> map.put(k, structAsJava(v)));
      return map;
    }
    if (node instanceof Raw raw) {
      return inStruct(raw);
    }
    if (node instanceof Deep deep) {
      return deepJson(deep.depth());
    }
    return toJava(node);
  }

  private static String written(Object java) {
    try {
      return JSON.writeValueAsString(java);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Arbitrary<Node> planted() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, text().map(t -> (Node) new Text(t))),
        Tuple.of(2, raw()),
        Tuple.of(1, Arbitraries.of(true, false).map(b -> (Node) new Raw(b.toString(), b))),
        Tuple.of(2, bytes()),
        Tuple.of(1, noise().map(n -> (Node) new Obj(new LinkedHashMap<>(Map.of("k", n))))),
        Tuple.of(1, Arbitraries.integers().between(1, 3_000).map(d -> (Node) new Deep(d))),
        Tuple.of(1, Arbitraries.just(new Null())));
  }

  private static Arbitrary<Node> noise() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, text().map(t -> (Node) new Text(t))),
        Tuple.of(2, raw()),
        Tuple.of(2, bytes()),
        Tuple.of(1, Arbitraries.integers().between(1, 900).map(d -> (Node) new Deep(d))),
        Tuple.of(1, Arbitraries.just(new Null())));
  }

  private static Arbitrary<String> text() {
    return Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.strings().ofMaxLength(30)),
        Tuple.of(
            2,
            Arbitraries.of(
                "", " ", "\u0000", "\ud800", "\udc00x", "\"", "\\", "{\"id\":1}", "3", "null")),
        Tuple.of(1, Arbitraries.just("x".repeat(64 * 1024))));
  }

  private static Arbitrary<Node> raw() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(l -> (Node) new Raw(Long.toString(l), l)),
        Arbitraries.of(
            new Raw("1.50", new BigDecimal("1.50")),
            new Raw("1e400", Double.POSITIVE_INFINITY),
            new Raw(
                "-123456789012345678901234567890",
                new BigDecimal("-1.23456789012345678901234567890E+29")),
            new Raw("-0", -0.0),
            new Raw("4.9e-400", 0.0)));
  }

  private static Arbitrary<Node> bytes() {
    return Combinators.combine(
            Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(24),
                Arbitraries.strings().ofMaxLength(12).map(s -> s.getBytes(StandardCharsets.UTF_8))),
            Arbitraries.of(false, true))
        .as((b, buffer) -> (Node) new Bytes(b, buffer));
  }

  // ---- Rendering ----

  private static Object toJava(Node node) {
    if (node instanceof Text text) {
      return text.text();
    }
    if (node instanceof Raw raw) {
      return raw.java();
    }
    if (node instanceof Bytes bytes) {
      return bytes.buffer() ? ByteBuffer.wrap(bytes.bytes()) : bytes.bytes();
    }
    if (node instanceof Obj obj) {
      Map<String, Object> map = new LinkedHashMap<>();
      obj.fields().forEach((k, v) -> map.put(k, toJava(v)));
      return map;
    }
    if (node instanceof Deep deep) {
      Object nested = "deep";
      for (int i = 0; i < deep.depth(); i++) {
        List<Object> list = new ArrayList<>();
        list.add(nested);
        nested = list;
      }
      return nested;
    }
    return null;
  }

  private static Struct toStruct(Obj obj) {
    SchemaBuilder builder = SchemaBuilder.struct().optional();
    Map<String, Supplier<Object>> values = new LinkedHashMap<>();
    obj.fields()
        .forEach(
            (name, node) -> {
              if (name.isEmpty()) {
                return; // a Struct field needs a name; a Map and JSON keep the empty one
              }
              if (node instanceof Obj inner) {
                Struct struct = toStruct(inner);
                builder.field(name, struct.schema());
                values.put(name, () -> struct);
              } else if (node instanceof Raw raw) {
                builder.field(
                    name,
                    raw.java() instanceof Boolean
                        ? Schema.OPTIONAL_BOOLEAN_SCHEMA
                        : Schema.OPTIONAL_FLOAT64_SCHEMA);
                values.put(name, () -> inStruct(raw));
              } else if (node instanceof Bytes bytes) {
                builder.field(name, Schema.OPTIONAL_BYTES_SCHEMA);
                values.put(name, () -> toJava(bytes));
              } else if (node instanceof Deep deep) {
                builder.field(name, Schema.OPTIONAL_STRING_SCHEMA);
                values.put(name, () -> deepJson(deep.depth()));
              } else {
                builder.field(name, Schema.OPTIONAL_STRING_SCHEMA);
                values.put(name, () -> node instanceof Text text ? text.text() : null);
              }
            });
    Schema schema = builder.build();
    Struct struct = new Struct(schema);
    values.forEach((name, value) -> struct.put(name, value.get()));
    return struct;
  }

  private static String toJson(Node node) {
    try {
      if (node instanceof Text text) {
        return JSON.writeValueAsString(text.text());
      }
      if (node instanceof Raw raw) {
        return raw.literal();
      }
      if (node instanceof Bytes bytes) {
        return JSON.writeValueAsString(Base64.getEncoder().encodeToString(bytes.bytes()));
      }
      if (node instanceof Obj obj) {
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, Node> field : obj.fields().entrySet()) {
          if (json.length() > 1) {
            json.append(", ");
          }
          json.append(JSON.writeValueAsString(field.getKey()))
              .append(": ")
              .append(toJson(field.getValue()));
        }
        return json.append('}').toString();
      }
      if (node instanceof Deep deep) {
        return deepJson(deep.depth());
      }
      return "null";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String deepJson(int depth) {
    return "[".repeat(depth) + "\"deep\"" + "]".repeat(depth);
  }

  private static String strictUtf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  // ---- Values that hold no readable document ----

  private static Arbitrary<Case> noDocument() {
    Arbitrary<Object> random =
        Arbitraries.oneOf(
            Arbitraries.bytes().array(byte[].class).ofMaxSize(60).map(b -> (Object) b),
            Arbitraries.strings().ofMaxLength(60).map(s -> (Object) s),
            documents()
                .map(
                    c -> c.data() instanceof String s ? s.substring(0, s.length() / 2) : c.data()));
    Arbitrary<String> path = Arbitraries.of("id", "meta.id", "meta.trace.id");
    Arbitrary<Case> anything =
        Combinators.combine(path, random)
            .as((p, d) -> new Case(p, d, Expected.ANYTHING, "no document: " + shown(d)));
    // Text that holds no JSON object, and why each is refused.
    Arbitrary<Case> known =
        Combinators.combine(
                path,
                Arbitraries.of(
                    Tuple.of("[{\"id\": \"e-1\"}]", "is JSON but not an object (it is an array)"),
                    Tuple.of("\"e-1\"", "is JSON but not an object (it is a string)"),
                    Tuple.of("42", "is JSON but not an object (it is a number)"),
                    Tuple.of("null", "is JSON but not an object (it is null)"),
                    Tuple.of("", "is empty, not JSON"),
                    Tuple.of("  ", "is empty, not JSON"),
                    Tuple.of("{\"meta\": {\"x\": [1, 2", "not valid JSON"),
                    Tuple.of("{id: 1}", "not valid JSON")),
                Arbitraries.of(false, true))
            .as(
                (p, text, bytes) ->
                    new Case(
                        p,
                        bytes ? text.get1().getBytes(StandardCharsets.UTF_8) : text.get1(),
                        Expected.refused(text.get2()),
                        "no object: " + text.get1()));
    return Arbitraries.oneOf(anything, known);
  }

  /** JSON bytes whose one sibling string holds a byte that is not UTF-8: the value is refused. */
  private static Arbitrary<Case> invalidUtf8InsideJsonBytes() {
    return Arbitraries.of((byte) 0x80, (byte) 0xc3, (byte) 0xff, (byte) 0xed)
        .map(
            bad -> {
              byte[] before = "{\"note\": \"".getBytes(StandardCharsets.UTF_8);
              byte[] after = "\", \"id\": \"e-1\"}".getBytes(StandardCharsets.UTF_8);
              byte[] data = new byte[before.length + 1 + after.length];
              System.arraycopy(before, 0, data, 0, before.length);
              data[before.length] = bad;
              System.arraycopy(after, 0, data, before.length + 1, after.length);
              return new Case(
                  "id", data, Expected.refused("not UTF-8"), "JSON bytes with " + bad + " inside");
            });
  }

  /**
   * A sibling nested past Jackson's limit: before the field it stops the read (refused, "not valid
   * JSON"); after it, the read has already found the field and stopped.
   */
  private static Arbitrary<Case> tooDeepSibling() {
    return Combinators.combine(
            Arbitraries.integers().between(1_000, 5_000), Arbitraries.of(true, false))
        .as(
            (depth, before) -> {
              String deep = "\"deep\": " + deepJson(depth);
              String json =
                  before ? "{" + deep + ", \"id\": \"e-1\"}" : "{\"id\": \"e-1\", " + deep + "}";
              return new Case(
                  "id",
                  json,
                  before ? Expected.refused("not valid JSON") : Expected.text("e-1"),
                  "sibling " + depth + " deep " + (before ? "before" : "after") + " the field");
            });
  }

  private static String shown(Object data) {
    return data instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(data);
  }
}
