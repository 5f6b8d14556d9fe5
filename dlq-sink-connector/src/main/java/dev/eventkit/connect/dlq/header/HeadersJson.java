package dev.eventkit.connect.dlq.header;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The lossless JSON form of record headers: an ordered array (duplicates kept) of {@code {"key": k,
 * "value": "text"}} for UTF-8 text, {@code {"key": k, "base64": "..."}} for other bytes, and {@code
 * {"key": k, "value": null}} for a null value. A key with control characters (which PostgreSQL's
 * jsonb cannot hold when it is NUL) is written as {@code "key_base64"} instead of {@code "key"}.
 */
public final class HeadersJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HeadersJson() {}

  public static String write(List<RawHeader> headers) {
    ArrayNode array = JSON.createArrayNode();
    for (RawHeader header : headers) {
      ObjectNode node = array.addObject();
      if (isPrintable(header.key())) {
        node.put("key", header.key());
      } else {
        node.put(
            "key_base64",
            Base64.getEncoder().encodeToString(header.key().getBytes(StandardCharsets.UTF_8)));
      }
      if (header.value() == null) {
        node.putNull("value");
        continue;
      }
      String text = DeadLetterParser.utf8(header.value());
      if (text != null && isPrintable(text)) {
        node.put("value", text);
      } else {
        node.put("base64", Base64.getEncoder().encodeToString(header.value()));
      }
    }
    return array.toString();
  }

  public static List<RawHeader> read(String json) {
    try {
      List<RawHeader> headers = new ArrayList<>();
      for (JsonNode node : JSON.readTree(json)) {
        String key =
            node.has("key_base64")
                ? new String(
                    Base64.getDecoder().decode(node.get("key_base64").asText()),
                    StandardCharsets.UTF_8)
                : node.get("key").asText();
        if (node.has("base64")) {
          headers.add(new RawHeader(key, Base64.getDecoder().decode(node.get("base64").asText())));
        } else if (node.get("value").isNull()) {
          headers.add(new RawHeader(key, null));
        } else {
          headers.add(
              new RawHeader(key, node.get("value").asText().getBytes(StandardCharsets.UTF_8)));
        }
      }
      return headers;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "record_headers is not the archive's header JSON: " + json, e);
    }
  }

  /** Text without control characters other than tab and line breaks round-trips as a string. */
  private static boolean isPrintable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        return false;
      }
    }
    return true;
  }
}
