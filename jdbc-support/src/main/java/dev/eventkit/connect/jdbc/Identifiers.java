package dev.eventkit.connect.jdbc;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Identifier validation and quoting for one dialect: PostgreSQL double quotes, MariaDB/MySQL
 * backticks. Every identifier that reaches SQL goes through {@link #quote} or {@link
 * #quoteQualified}, so a name that needs quoting works and a name that could break out of its
 * quotes cannot.
 *
 * <p>A quoted name is taken exactly as given: on PostgreSQL {@code Outbox} and {@code outbox} are
 * different tables once quoted.
 */
public final class Identifiers {

  private static final Identifiers POSTGRESQL = new Identifiers("PostgreSQL", '"', 63, true, false);
  private static final Identifiers MARIADB = new Identifiers("MariaDB/MySQL", '`', 64, false, true);

  private final String database;
  private final char quote;
  private final int maxLength;
  private final boolean lengthInUtf8Bytes;
  private final boolean mysqlRules;

  private Identifiers(
      String database, char quote, int maxLength, boolean lengthInUtf8Bytes, boolean mysqlRules) {
    this.database = database;
    this.quote = quote;
    this.maxLength = maxLength;
    this.lengthInUtf8Bytes = lengthInUtf8Bytes;
    this.mysqlRules = mysqlRules;
  }

  static Identifiers postgresql() {
    return POSTGRESQL;
  }

  static Identifiers mariadb() {
    return MARIADB;
  }

  /**
   * Quotes one identifier exactly as given (case kept); embedded quote characters are escaped by
   * doubling.
   *
   * @throws IllegalArgumentException naming the identifier and the rule it breaks: empty or blank,
   *     a NUL or other control character, longer than the dialect's limit (PostgreSQL 63 bytes of
   *     UTF-8, MariaDB/MySQL 64 characters), and on MariaDB/MySQL a character outside the Basic
   *     Multilingual Plane or a trailing space
   */
  public String quote(String identifier) {
    String problem = problemWithPart(identifier);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    String q = String.valueOf(quote);
    return q + identifier.replace(q, q + q) + q;
  }

  /**
   * Quotes {@code name} or {@code schema.name} (on MariaDB/MySQL: {@code database.name}), each part
   * with {@link #quote}. Exactly one optional dot separates the parts; a dot inside a name would
   * need quoting, which this does not parse, so more than one dot is refused.
   *
   * @throws IllegalArgumentException naming the identifier and the rule it breaks
   */
  public String quoteQualified(String name) {
    Optional<String> problem = problem(name);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
    int dot = name.indexOf('.');
    return dot < 0
        ? quote(name)
        : quote(name.substring(0, dot)) + "." + quote(name.substring(dot + 1));
  }

  /**
   * The checks of {@link #quoteQualified} without quoting, for config validators.
   *
   * @return what is wrong with the name, or empty if it can be quoted
   */
  public Optional<String> problem(String qualifiedName) {
    if (qualifiedName == null) {
      return Optional.of("A " + database + " identifier is required; none was given");
    }
    int dot = qualifiedName.indexOf('.');
    if (dot >= 0 && qualifiedName.indexOf('.', dot + 1) >= 0) {
      return Optional.of(
          "The "
              + database
              + " name '"
              + printable(qualifiedName)
              + "' has more than one dot: use 'name' or 'schema.name'");
    }
    if (dot < 0) {
      return Optional.ofNullable(problemWithPart(qualifiedName));
    }
    String schemaProblem = problemWithPart(qualifiedName.substring(0, dot));
    if (schemaProblem != null) {
      return Optional.of(schemaProblem + " (in '" + printable(qualifiedName) + "')");
    }
    String nameProblem = problemWithPart(qualifiedName.substring(dot + 1));
    return nameProblem == null
        ? Optional.empty()
        : Optional.of(nameProblem + " (in '" + printable(qualifiedName) + "')");
  }

  private String problemWithPart(String identifier) {
    if (identifier == null) {
      return "A " + database + " identifier is required; none was given";
    }
    if (identifier.isBlank()) {
      return "The "
          + database
          + " identifier '"
          + printable(identifier)
          + "' is empty or blank: a name is required";
    }
    for (int i = 0; i < identifier.length(); ) {
      int cp = identifier.codePointAt(i);
      if (Character.isISOControl(cp)) {
        return "The "
            + database
            + " identifier '"
            + printable(identifier)
            + "' contains a control character (U+"
            + String.format("%04X", cp)
            + "): identifiers must be printable";
      }
      if (mysqlRules && Character.isSupplementaryCodePoint(cp)) {
        return "The "
            + database
            + " identifier '"
            + printable(identifier)
            + "' contains a character outside the Basic Multilingual Plane (U+"
            + String.format("%04X", cp)
            + "), which MariaDB and MySQL do not allow in names";
      }
      i += Character.charCount(cp);
    }
    if (mysqlRules && identifier.endsWith(" ")) {
      return "The "
          + database
          + " identifier '"
          + identifier
          + "' ends with a space, which MariaDB and MySQL do not allow in names";
    }
    int length =
        lengthInUtf8Bytes
            ? identifier.getBytes(StandardCharsets.UTF_8).length
            : identifier.codePointCount(0, identifier.length());
    if (length > maxLength) {
      return "The "
          + database
          + " identifier '"
          + identifier
          + "' is "
          + length
          + (lengthInUtf8Bytes ? " bytes (UTF-8)" : " characters")
          + " long; the limit is "
          + maxLength
          + (lengthInUtf8Bytes ? " bytes (PostgreSQL would silently truncate it)" : " characters");
    }
    return null;
  }

  /** The name with control characters escaped, so an error message cannot be forged or cut. */
  private static String printable(String s) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            cp -> {
              if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04X", cp));
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.toString();
  }

  @Override
  public String toString() {
    return database + " identifiers (quoted with " + quote + ")";
  }
}
