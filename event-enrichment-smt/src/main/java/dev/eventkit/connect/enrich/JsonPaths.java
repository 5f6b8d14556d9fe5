package dev.eventkit.connect.enrich;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fixed set of dotted paths read from JSON text in one streaming pass: subtrees that lead to no
 * wanted path are skipped unread, and the pass stops as soon as every path is found. Objects and
 * arrays at a wanted path come back as their JSON text exactly as written, scalars as their text
 * (numbers as written too).
 */
final class JsonPaths {

  static final JsonPaths NONE = new JsonPaths(List.of());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();

  private final Set<String> paths = new HashSet<>();
  private final Set<String> prefixes = new HashSet<>();

  JsonPaths(List<String[]> wanted) {
    for (String[] path : wanted) {
      paths.add(join(path));
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < path.length - 1; i++) {
        if (i > 0) {
          prefix.append('.');
        }
        prefix.append(path[i]);
        prefixes.add(prefix.toString());
      }
    }
  }

  static String join(String[] path) {
    return String.join(".", path);
  }

  boolean contains(String[] path) {
    return !paths.isEmpty() && paths.contains(join(path));
  }

  /** Values found for the wanted paths; absent and null values are missing from the map. */
  Map<String, String> extract(String text) throws IOException {
    Map<String, String> found = new HashMap<>();
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() == JsonToken.START_OBJECT) {
        walk(parser, text, "", found);
      }
    }
    return found;
  }

  /** Reads one object's fields; returns false once every wanted path is found. */
  private boolean walk(JsonParser parser, String text, String prefix, Map<String, String> found)
      throws IOException {
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String path = prefix.isEmpty() ? parser.currentName() : prefix + "." + parser.currentName();
      JsonToken value = parser.nextToken();
      if (paths.contains(path)) {
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          // The container's own text, as written: parsed and written again, 1.50 would become
          // 1.5 and 1e400 Infinity.
          int start = (int) parser.currentTokenLocation().getCharOffset();
          parser.skipChildren();
          int end = (int) parser.currentLocation().getCharOffset();
          found.put(path, text.substring(start, end));
        } else if (value != JsonToken.VALUE_NULL) {
          found.put(path, parser.getText());
        }
        if (found.size() == paths.size()) {
          return false;
        }
      } else if (value == JsonToken.START_OBJECT && prefixes.contains(path)) {
        if (!walk(parser, text, path, found)) {
          return false;
        }
      } else {
        parser.skipChildren();
      }
    }
    return true;
  }
}
