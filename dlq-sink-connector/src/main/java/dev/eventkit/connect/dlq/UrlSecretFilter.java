package dev.eventkit.connect.dlq;

import dev.eventkit.connect.jdbc.JdbcUrls;
import dev.eventkit.connect.jdbc.SecretRedaction;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides what a JDBC URL and its password option may reveal in a message shown over REST. Drivers
 * quote fragments of a URL they cannot parse ("Incorrect port value : secret@db"), so the URL's own
 * secrets (the password in its user info, any password option) are removed wherever they appear,
 * not only where the whole URL is quoted.
 */
final class UrlSecretFilter {

  /** {@code user:password@} after the subprotocol, with or without {@code //}. */
  private static final Pattern USER_INFO =
      Pattern.compile("(?i)^jdbc:[a-z0-9]+:(?:[a-z]+:)?(?://)?[^/?#@:\\s]*:([^/?#\\s]*)@");

  private static final Pattern PASSWORD_OPTION =
      Pattern.compile("(?i)[\\w.-]*(?:password|passwd|pwd)\\d*\\s*=([^&;]*)");

  private final String url;
  private final List<String> secrets = new ArrayList<>();

  UrlSecretFilter(String url, String password) {
    this.url = url == null ? "" : url.strip();
    if (password != null && !password.isEmpty()) {
      secrets.add(password);
    }
    Matcher userInfo = USER_INFO.matcher(this.url);
    if (userInfo.find() && !userInfo.group(1).isEmpty()) {
      secrets.add(userInfo.group(1));
    }
    Matcher option = PASSWORD_OPTION.matcher(this.url);
    while (option.find()) {
      if (!option.group(1).isEmpty()) {
        secrets.add(option.group(1));
      }
    }
  }

  /** The URL without user info or query string. */
  String url() {
    return SecretRedaction.url(JdbcUrls.redact(url));
  }

  /** The message with the URL shown as {@link #url()} and every secret of it hidden. */
  String message(String message) {
    if (message == null) {
      return null;
    }
    String result = url.isEmpty() ? message : message.replace(url, url());
    for (String secret : secrets) {
      result = result.replace(secret, SecretRedaction.HIDDEN);
    }
    return JdbcUrls.redact(result);
  }
}
