package dev.eventkit.connect.outbox.record;

import java.util.Arrays;
import java.util.Locale;

/** How the payload column becomes the record value ({@code payload.format}). */
public enum PayloadFormat {
  /** The stored text, unchanged; with StringConverter the bytes on the wire equal the column. */
  STRING,
  /** UTF-8 bytes of the stored text, or the raw bytes of a bytea column. */
  BYTES,
  /** Schemaless Map/List/primitives, so JsonConverter (schemas off) writes the same JSON. */
  JSON,
  /** A Connect Struct whose schema is inferred from the JSON by {@link JsonSchemaInference}. */
  STRUCT;

  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static String[] configValues() {
    return Arrays.stream(values()).map(PayloadFormat::configValue).toArray(String[]::new);
  }

  public static PayloadFormat parse(String value) {
    return valueOf(value.trim().toUpperCase(Locale.ROOT));
  }

  /** Whether the payload must be parsed as JSON, so invalid JSON is a poison row. */
  public boolean parsesJson() {
    return this == JSON || this == STRUCT;
  }
}
