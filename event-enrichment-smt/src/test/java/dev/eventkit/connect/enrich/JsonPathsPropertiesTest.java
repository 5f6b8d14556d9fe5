package dev.eventkit.connect.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The field-path reader on hostile payloads: any text either gives values or fails with Jackson's
 * own {@link IOException} (which the transforms turn into an error naming the record), never
 * anything else; deep nesting cannot overflow the stack; and on valid JSON it finds exactly what a
 * full tree parse finds.
 */
class JsonPathsPropertiesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonPaths PATHS =
      new JsonPaths(
          List.of(
              new String[] {"a"},
              new String[] {"a", "b"},
              new String[] {"c", "d", "e"},
              new String[] {"id"}));

  @Property(tries = 3_000)
  void anyTextGivesValuesOrAnIoExceptionOnly(@ForAll("hostileText") String text) {
    try {
      PATHS.extract(text);
    } catch (IOException expected) {
      // Jackson's parse error: the caller names the record and the field.
    }
  }

  @Property(tries = 2_000)
  void onValidJsonItFindsWhatATreeParseFinds(@ForAll("objects") Map<String, Object> object)
      throws Exception {
    String text = JSON.writeValueAsString(object);
    JsonNode tree = JSON.readTree(text);

    Map<String, String> found = PATHS.extract(text);

    for (String path : List.of("a", "a.b", "c.d.e", "id")) {
      JsonNode node = tree.at("/" + path.replace('.', '/'));
      String expected =
          node.isMissingNode() || node.isNull()
              ? null
              : node.isTextual()
                  ? node.asText()
                  : node.isContainerNode() ? node.toString() : node.asText();
      // A wanted path inside a wanted path ("a.b" under "a") is only read when "a" is an object.
      if (path.equals("a.b") && found.containsKey("a")) {
        continue;
      }
      assertThat(found.get(path)).as(path + " in " + text).isEqualTo(expected);
    }
  }

  @Property(tries = 20)
  void nestingBeyondJacksonsLimitIsAnIoExceptionNotAStackOverflow(
      @ForAll @IntRange(min = 1_001, max = 100_000) int depth) {
    String deep = "{\"a\": " + "[".repeat(depth) + "]".repeat(depth) + "}";

    assertThatThrownBy(() -> PATHS.extract(deep)).isInstanceOf(IOException.class);
  }

  @Test
  void deepNestingOutsideTheWantedPathsIsSkipped() throws Exception {
    String deep = "{\"x\": " + "[".repeat(900) + "]".repeat(900) + ", \"id\": \"e-1\"}";

    assertThat(PATHS.extract(deep)).containsEntry("id", "e-1");
  }

  @Provide
  Arbitrary<String> hostileText() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(200),
        Arbitraries.strings().withChars("{}[]\":,.\\0123456789eE+-truefalsn ").ofMaxLength(200),
        objects().map(o -> truncated(o)));
  }

  private static String truncated(Map<String, Object> object) {
    try {
      String text = JSON.writeValueAsString(object);
      return text.substring(0, text.length() / 2);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Provide
  Arbitrary<Map<String, Object>> objects() {
    return value(3)
        .map(
            v -> {
              if (v instanceof Map<?, ?>) {
                return castMap(v);
              }
              Map<String, Object> wrapped = new LinkedHashMap<>();
              wrapped.put("a", v);
              return wrapped;
            });
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object value) {
    return (Map<String, Object>) value;
  }

  /**
   * Scalars, lists and objects whose keys are often the wanted ones, nested up to {@code depth}.
   */
  private static Arbitrary<Object> value(int depth) {
    Arbitrary<Object> scalars =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(12).map(s -> (Object) s),
            Arbitraries.integers().map(i -> (Object) i),
            Arbitraries.longs().map(l -> (Object) l),
            Arbitraries.doubles().map(d -> (Object) d),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just(null));
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<String> keys =
        Arbitraries.oneOf(
            Arbitraries.of("a", "b", "c", "d", "e", "id"), Arbitraries.strings().ofMaxLength(4));
    Arbitrary<Object> lists =
        value(depth - 1).list().ofMaxSize(3).map(l -> (Object) new ArrayList<>(l));
    Arbitrary<Object> objects =
        Arbitraries.maps(keys, value(depth - 1))
            .ofMaxSize(4)
            .map(m -> (Object) new LinkedHashMap<>(m));
    return Arbitraries.oneOf(scalars, lists, objects);
  }
}
