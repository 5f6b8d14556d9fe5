package dev.eventkit.connect.dlq.replay;

import dev.eventkit.connect.jdbc.SecretRedaction;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Command-line options of the replay command, parsed and checked. */
record ReplayOptions(
    String jdbcUrl,
    String user,
    String password,
    String table,
    String bootstrapServers,
    Map<String, String> producerProperties,
    String originTopic,
    String exceptionClass,
    Instant from,
    Instant to,
    List<String> eventIds,
    String toTopic,
    boolean dryRun,
    int maxReplays,
    boolean help) {

  static final String USAGE =
      String.join(
          "\n",
          "Usage: replay --jdbc-url URL [options]",
          "",
          "Re-publishes archived dead letters (raw key, value and headers) to their origin topic,",
          "without the error headers and with eventkit.replay.count and eventkit.replayed.from added.",
          "",
          "Connection:",
          "  --jdbc-url URL            archive database (jdbc:postgresql:, jdbc:mariadb:, jdbc:mysql:)",
          "  --user NAME               database user",
          "  --password-env VAR        read the database password from environment variable VAR",
          "  --table NAME              archive table (default dead_letter_archive)",
          "  --bootstrap-servers LIST  Kafka brokers (not needed with --dry-run)",
          "  --producer-property K=V   extra producer setting, repeatable (e.g. security.protocol=SSL)",
          "Selection (all given filters must match):",
          "  --origin-topic TOPIC      records dead-lettered from TOPIC",
          "  --exception-class CLASS   records that failed with CLASS",
          "  --from INSTANT            archived at or after INSTANT (ISO-8601, e.g. 2026-11-26T00:00:00Z)",
          "  --to INSTANT              archived before INSTANT (both mean the same instant on",
          "                            every database, whatever the time zone)",
          "  --event-id ID[,ID...]     records carrying these event ids, repeatable",
          "Replay:",
          "  --to-topic TOPIC          publish to TOPIC instead of each record's origin topic",
          "  --max-replays N           replay only records replayed fewer than N times (default 1:",
          "                            never replayed), checked as each record is claimed",
          "  --dry-run                 list what would be sent, send nothing",
          "  --help                    this text");

  static ReplayOptions parse(String[] args) {
    return parse(args, System.getenv());
  }

  static ReplayOptions parse(String[] args, Map<String, String> environment) {
    String jdbcUrl = null;
    String user = null;
    String password = null;
    String table = "dead_letter_archive";
    String bootstrap = null;
    Map<String, String> producer = new TreeMap<>();
    String originTopic = null;
    String exceptionClass = null;
    Instant from = null;
    Instant to = null;
    List<String> eventIds = new ArrayList<>();
    String toTopic = null;
    boolean dryRun = false;
    int maxReplays = 1;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--help", "-h" -> help = true;
        case "--dry-run" -> dryRun = true;
        case "--jdbc-url" -> jdbcUrl = value(args, ++i, arg);
        case "--user" -> user = value(args, ++i, arg);
        case "--password-env" -> {
          String variable = value(args, ++i, arg);
          password = environment.get(variable);
          if (password == null) {
            throw new IllegalArgumentException(
                "Environment variable " + variable + " (from --password-env) is not set");
          }
        }
        case "--table" -> table = value(args, ++i, arg);
        case "--bootstrap-servers" -> bootstrap = value(args, ++i, arg);
        case "--producer-property" -> {
          String kv = value(args, ++i, arg);
          int eq = kv.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--producer-property needs KEY=VALUE, got " + kv);
          }
          producer.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        case "--origin-topic" -> originTopic = value(args, ++i, arg);
        case "--exception-class" -> exceptionClass = value(args, ++i, arg);
        case "--from" -> from = instant(value(args, ++i, arg), arg);
        case "--to" -> to = instant(value(args, ++i, arg), arg);
        case "--event-id" -> {
          for (String id : value(args, ++i, arg).split(",")) {
            if (!id.isBlank()) {
              eventIds.add(id.trim());
            }
          }
        }
        case "--to-topic" -> toTopic = value(args, ++i, arg);
        case "--max-replays" -> {
          String n = value(args, ++i, arg);
          try {
            maxReplays = Integer.parseInt(n);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--max-replays needs a number, got " + n);
          }
          if (maxReplays < 1) {
            throw new IllegalArgumentException("--max-replays must be at least 1, got " + n);
          }
        }
        default -> throw new IllegalArgumentException("Unknown option " + arg + " (see --help)");
      }
    }
    if (!help) {
      if (jdbcUrl == null) {
        throw new IllegalArgumentException("--jdbc-url is required (see --help)");
      }
      if (!dryRun && bootstrap == null) {
        throw new IllegalArgumentException(
            "--bootstrap-servers is required unless --dry-run (see --help)");
      }
    }
    return new ReplayOptions(
        jdbcUrl,
        user,
        password,
        table,
        bootstrap,
        producer,
        originTopic,
        exceptionClass,
        from,
        to,
        List.copyOf(eventIds),
        toTopic,
        dryRun,
        maxReplays,
        help);
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length || args[index].startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }

  private static Instant instant(String text, String option) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + " needs an ISO-8601 instant such as 2026-11-26T00:00:00Z, got " + text);
    }
  }

  /**
   * Every option but the secrets: the password is hidden, as are the JDBC URL's user info and query
   * string and the values of producer properties that may hold credentials.
   */
  @Override
  public String toString() {
    Map<String, String> producer = new TreeMap<>();
    producerProperties.forEach(
        (k, v) -> {
          String key = k.toLowerCase(java.util.Locale.ROOT);
          boolean secret =
              key.contains("password")
                  || key.contains("jaas")
                  || key.contains("secret")
                  || key.contains("credential")
                  || key.contains("token")
                  || key.endsWith(".key");
          producer.put(k, secret ? SecretRedaction.HIDDEN : v);
        });
    return "ReplayOptions[jdbcUrl="
        + SecretRedaction.url(jdbcUrl)
        + ", user="
        + user
        + ", password="
        + (password == null ? null : SecretRedaction.HIDDEN)
        + ", table="
        + table
        + ", bootstrapServers="
        + bootstrapServers
        + ", producerProperties="
        + producer
        + ", originTopic="
        + originTopic
        + ", exceptionClass="
        + exceptionClass
        + ", from="
        + from
        + ", to="
        + to
        + ", eventIds="
        + eventIds
        + ", toTopic="
        + toTopic
        + ", dryRun="
        + dryRun
        + ", maxReplays="
        + maxReplays
        + ", help="
        + help
        + "]";
  }
}
