package dev.eventkit.connect.outbox.capture.log.postgres;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code jdbc:postgresql:} URL taken apart for Debezium, which wants host, port and database as
 * separate options and passes the URL's other parameters to the driver.
 *
 * @param parameters the query parameters, decoded, in order
 */
record PostgresUrl(String host, int port, String database, Map<String, String> parameters) {

  private static final String PREFIX = "jdbc:postgresql:";

  /**
   * @throws IllegalArgumentException for a URL log mode cannot use (several hosts: a replication
   *     slot lives on one server)
   */
  static PostgresUrl parse(String url) {
    if (!url.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      throw new IllegalArgumentException("Not a jdbc:postgresql: URL");
    }
    String rest = url.substring(PREFIX.length());
    String query = "";
    int question = rest.indexOf('?');
    if (question >= 0) {
      query = rest.substring(question + 1);
      rest = rest.substring(0, question);
    }
    String host = "localhost";
    int port = 5432;
    String database;
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
      int slash = rest.indexOf('/');
      String authority = slash < 0 ? rest : rest.substring(0, slash);
      database = slash < 0 ? "" : rest.substring(slash + 1);
      if (authority.contains(",")) {
        throw new IllegalArgumentException(
            "capture.mode=log reads one server's replication slot; the URL names several hosts");
      }
      if (!authority.isEmpty()) {
        int colon =
            authority.startsWith("[")
                ? authority.indexOf(':', authority.indexOf(']'))
                : authority.lastIndexOf(':');
        if (colon >= 0) {
          host = authority.substring(0, colon);
          port = Integer.parseInt(authority.substring(colon + 1));
        } else {
          host = authority;
        }
      }
    } else {
      database = rest;
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = decode(equals < 0 ? pair : pair.substring(0, equals));
      String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
      parameters.put(key, value);
    }
    return new PostgresUrl(host, port, decode(database), parameters);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
