package dev.eventkit.testkit.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * Renders a {@link ConfigDef} as the Markdown configuration reference under {@code docs/}, and
 * keeps the checked-in file honest: a test compares the two and, run with {@code
 * -Deventkit.docs.update=true}, rewrites the file.
 */
public final class ConfigReference {

  public static final String UPDATE_PROPERTY = "eventkit.docs.update";
  public static final String DOCS_DIR_PROPERTY = "eventkit.docs.dir";

  private ConfigReference() {}

  /** The reference page: a title, an introduction, then one table per group. */
  public static String markdown(String title, String introduction, ConfigDef def) {
    Map<String, List<ConfigDef.ConfigKey>> groups = new LinkedHashMap<>();
    for (ConfigDef.ConfigKey key : def.configKeys().values()) {
      if (key.internalConfig) {
        continue;
      }
      groups
          .computeIfAbsent(Objects.requireNonNullElse(key.group, "Options"), g -> new ArrayList<>())
          .add(key);
    }
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n");
    md.append("<!-- Generated from the ConfigDef by a test; edit the code, then run ")
        .append("./mvnw test -D")
        .append(UPDATE_PROPERTY)
        .append("=true -->\n\n");
    md.append(introduction.strip()).append("\n");
    for (Map.Entry<String, List<ConfigDef.ConfigKey>> group : groups.entrySet()) {
      md.append("\n## ").append(group.getKey()).append("\n\n");
      md.append("| key | type | default | valid values | importance | description |\n");
      md.append("|---|---|---|---|---|---|\n");
      List<ConfigDef.ConfigKey> keys = new ArrayList<>(group.getValue());
      keys.sort((a, b) -> Integer.compare(a.orderInGroup, b.orderInGroup));
      for (ConfigDef.ConfigKey key : keys) {
        md.append("| `")
            .append(key.name)
            .append("` | ")
            .append(key.type.name().toLowerCase(java.util.Locale.ROOT))
            .append(" | ")
            .append(defaultValue(key))
            .append(" | ")
            .append(key.validator == null ? "" : cell(key.validator.toString()))
            .append(" | ")
            .append(key.importance.name().toLowerCase(java.util.Locale.ROOT))
            .append(" | ")
            .append(cell(key.documentation))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static String defaultValue(ConfigDef.ConfigKey key) {
    if (!key.hasDefault()) {
      return "*required*";
    }
    Object value = key.defaultValue;
    if (value == null) {
      return "null";
    }
    if (value instanceof Password) {
      return "[hidden]";
    }
    String text =
        value instanceof List
            ? String.join(",", ((List<?>) value).stream().map(String::valueOf).toList())
            : String.valueOf(value);
    return text.isEmpty() ? "\"\"" : "`" + text + "`";
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  /**
   * Fails when {@code docs/<fileName>} differs from {@code expected}; rewrites it instead when
   * {@value #UPDATE_PROPERTY} is true.
   */
  public static void assertUpToDate(String fileName, String expected) {
    Path file = Path.of(System.getProperty(DOCS_DIR_PROPERTY, "docs")).resolve(fileName);
    try {
      if (Boolean.getBoolean(UPDATE_PROPERTY)) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, expected);
        return;
      }
      String actual = Files.exists(file) ? Files.readString(file) : "";
      if (!actual.equals(expected)) {
        throw new AssertionError(
            file
                + " is out of date with the code; regenerate it with ./mvnw test -D"
                + UPDATE_PROPERTY
                + "=true and commit it");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
