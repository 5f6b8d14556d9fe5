package dev.eventkit.connect.jdbc;

import java.util.regex.Pattern;

/** JDBC URLs made safe to show. */
public final class JdbcUrls {

  /**
   * Any option whose name ends in {@code password} (also {@code sslpassword}, {@code
   * trustStorePassword}, MySQL's {@code password1}...), in any case. The value runs to the next
   * {@code &}: JDBC URLs separate options with it, and redacting too much is the safe mistake.
   */
  private static final Pattern PASSWORD_OPTION =
      Pattern.compile("(?i)([\\w.-]*password\\d*)(\\s*=)[^&]*");

  /**
   * {@code user:password@host} after {@code //} or right after the subprotocol (and a MariaDB
   * high-availability mode such as {@code replication:}), where a malformed URL may have it: the
   * password runs to the last {@code @} before the path, so an unencoded {@code @} in it is
   * redacted too.
   */
  private static final Pattern USER_INFO =
      Pattern.compile("(?i)((?:jdbc:[a-z0-9]+:(?:[a-z]+:)?(?://)?|//)[^/?#@:\\s]*):[^/?#\\s]*@");

  private JdbcUrls() {}

  /**
   * The URL with any {@code password=...} option and any {@code user:password@} part replaced by
   * {@code ***}; safe to log or to return from {@code validate}. Also works on free text that
   * contains a URL, such as a driver's error message.
   */
  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    String withoutUserInfo = USER_INFO.matcher(url).replaceAll("$1:***@");
    return PASSWORD_OPTION.matcher(withoutUserInfo).replaceAll("$1$2***");
  }
}
