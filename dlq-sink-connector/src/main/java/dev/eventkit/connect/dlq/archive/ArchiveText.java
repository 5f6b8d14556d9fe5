package dev.eventkit.connect.dlq.archive;

/**
 * Derived text columns as every archive database accepts them: NUL characters removed (PostgreSQL
 * text refuses them) and values longer than the column cut, marked with {@value #MARKER}. Only the
 * columns read from headers pass through here; the raw key, value and headers stay byte-exact in
 * their own columns.
 */
final class ArchiveText {

  static final String MARKER = "...[truncated]";

  private ArchiveText() {}

  /**
   * The value without NUL characters, and at most {@code maxChars} characters (code points) long;
   * {@code maxChars} ≤ 0 means no limit.
   */
  static String fit(String value, int maxChars) {
    if (value == null) {
      return null;
    }
    String text = value.indexOf('\u0000') < 0 ? value : value.replace("\u0000", "");
    if (maxChars <= 0 || text.codePointCount(0, text.length()) <= maxChars) {
      return text;
    }
    int keep = text.offsetByCodePoints(0, Math.max(0, maxChars - MARKER.length()));
    return text.substring(0, keep) + MARKER;
  }
}
