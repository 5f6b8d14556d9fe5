package dev.eventkit.connect.enrich;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The plugin version, from a resource Maven filters at build time. */
final class Version {
  private static final String VERSION = load();

  private Version() {}

  static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in =
        Version.class.getResourceAsStream("/eventkit-enrich-version.properties")) {
      Properties props = new Properties();
      if (in != null) {
        props.load(in);
      }
      return props.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
