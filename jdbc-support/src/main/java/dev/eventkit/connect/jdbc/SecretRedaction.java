package dev.eventkit.connect.jdbc;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps credentials out of what the connector shows over REST. A JDBC URL may carry a password in
 * its query string ({@code ?password=...}) or user info, and a config provider may have resolved it
 * from a secret store, so neither the URL's query string nor a driver message quoting it is echoed
 * as is.
 */
public final class SecretRedaction {

  public static final String HIDDEN = "[hidden]";

  /** {@code password=...}, {@code sslpassword: ...} and the like, in URLs and messages. */
  private static final Pattern SECRET_PARAMETER =
      Pattern.compile(
          "(?i)\\b((?:ssl)?(?:password|passwd|pwd)\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s&;,'\")]+)");

  /** The query string of any JDBC URL quoted in a message. */
  private static final Pattern JDBC_URL_QUERY = Pattern.compile("(jdbc:[^\\s?'\"]+)\\?[^\\s'\"]*");

  /** {@code //user:password@host}: user info in a URL's authority. */
  private static final Pattern USER_INFO = Pattern.compile("(//)[^/@\\s?]+@");

  private SecretRedaction() {}

  /** The URL without user info or query string, e.g. {@code jdbc:postgresql://db/app?[hidden]}. */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String redacted =
        USER_INFO.matcher(base).replaceAll("$1" + Matcher.quoteReplacement(HIDDEN) + "@");
    return query < 0 ? redacted : redacted + "?" + HIDDEN;
  }

  /**
   * A driver message with the connection URL, the password and anything that looks like a password
   * parameter hidden. The password is hidden wherever it appears, even inside a word.
   */
  public static String message(String message, String url, String password) {
    if (message == null) {
      return null;
    }
    String redacted = message;
    if (url != null && !url.isEmpty()) {
      redacted = redacted.replace(url, url(url));
    }
    if (password != null && !password.isEmpty()) {
      redacted = redacted.replace(password, HIDDEN);
    }
    redacted =
        JDBC_URL_QUERY
            .matcher(redacted)
            .replaceAll(m -> Matcher.quoteReplacement(url(m.group(1)) + "?" + HIDDEN));
    redacted =
        USER_INFO.matcher(redacted).replaceAll("$1" + Matcher.quoteReplacement(HIDDEN) + "@");
    return SECRET_PARAMETER
        .matcher(redacted)
        .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + HIDDEN));
  }
}
