package dev.eventkit.quickstart;

import java.time.Duration;

/** Command-line options of the quickstart. */
record QuickstartOptions(
    Duration duration,
    int rate,
    boolean keepRunning,
    int port,
    Database database,
    boolean logMode,
    boolean help) {

  /** The embedded database that holds the outbox, the orders and the DLQ archive. */
  enum Database {
    POSTGRESQL("PostgreSQL 17"),
    MARIADB("MariaDB 10.11");

    private final String label;

    Database(String label) {
      this.label = label;
    }

    /** What the quickstart starts, for its progress line. */
    String label() {
      return label;
    }

    static Database parse(String name) {
      for (Database database : values()) {
        if (database.name().equalsIgnoreCase(name.trim())) {
          return database;
        }
      }
      throw new IllegalArgumentException("--database must be postgresql or mariadb, got " + name);
    }
  }

  static final String USAGE =
      String.join(
          "\n",
          "Usage: quickstart [--database postgresql|mariadb] [--mode poll|log] [--duration SECONDS]",
          "                  [--rate EVENTS_PER_SECOND] [--keep-running] [--port PORT]",
          "",
          "Starts an embedded database, a Kafka broker and a Connect worker (REST on localhost:PORT, default 8083)",
          "that loads the packaged Eventkit plugin, deploys the outbox connector with both transforms, a sink",
          "that dead-letters poison events and the DLQ archive, then runs an order service writing outbox rows.",
          "",
          "  --database NAME      postgresql (default: embedded PostgreSQL 17) or mariadb (embedded MariaDB 10.11,",
          "                       the outbox connector in MariaDB poll mode)",
          "  --mode MODE          poll (default: the outbox connector reads the table with SQL) or log (it reads",
          "                       PostgreSQL's WAL through a replication slot: config-examples/outbox-postgres-log.json)",
          "  --duration SECONDS   how long the order service writes (default 30)",
          "  --rate N             transactions per second (default 20)",
          "  --keep-running       leave everything up after the summary, until Ctrl-C",
          "  --port PORT          Connect REST port (default 8083; 0 picks a free one)");

  static QuickstartOptions parse(String[] args) {
    Duration duration = Duration.ofSeconds(30);
    int rate = 20;
    boolean keepRunning = false;
    int port = 8083;
    Database database = Database.POSTGRESQL;
    boolean logMode = false;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--duration" -> duration = Duration.ofSeconds(number(args, ++i, "--duration"));
        case "--rate" -> rate = number(args, ++i, "--rate");
        case "--port" -> port = number(args, ++i, "--port");
        case "--database" -> database = Database.parse(value(args, ++i, "--database"));
        case "--mode" -> logMode = mode(value(args, ++i, "--mode"));
        case "--keep-running" -> keepRunning = true;
        case "--help", "-h" -> help = true;
        default -> throw new IllegalArgumentException("Unknown option " + args[i] + "\n" + USAGE);
      }
    }
    if (rate < 1) {
      throw new IllegalArgumentException("--rate must be at least 1");
    }
    if (logMode && database != Database.POSTGRESQL) {
      throw new IllegalArgumentException(
          "--mode log needs --database postgresql: log mode reads PostgreSQL's WAL");
    }
    return new QuickstartOptions(duration, rate, keepRunning, port, database, logMode, help);
  }

  private static boolean mode(String name) {
    return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "poll" -> false;
      case "log" -> true;
      default -> throw new IllegalArgumentException("--mode must be poll or log, got " + name);
    };
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }

  private static int number(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a number");
    }
    try {
      return Integer.parseInt(args[index]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number, got " + args[index]);
    }
  }
}
