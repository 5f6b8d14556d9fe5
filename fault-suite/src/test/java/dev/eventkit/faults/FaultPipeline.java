package dev.eventkit.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.audit.DeliveryAudit;
import dev.eventkit.testkit.audit.OutboxLedger;
import dev.eventkit.testkit.audit.PublishedProgress;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.connect.OrdersConsumer;
import dev.eventkit.testkit.connect.PackagedPlugin;
import dev.eventkit.testkit.connect.process.ConnectWorkerProcess;
import dev.eventkit.testkit.connect.process.WorkerDistribution;
import dev.eventkit.testkit.db.DatabaseServer;
import dev.eventkit.testkit.db.MariaDbServer;
import dev.eventkit.testkit.db.PostgresServer;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;

/**
 * The whole pipeline under a steady writer, as the fault scenarios need it: the outbox's database
 * (embedded PostgreSQL, or MariaDB in {@link Mode#MARIADB_POLL}); three Connect workers with
 * exactly-once source support loading the packaged plugin; the outbox connector from the
 * CloudEvents example ({@code tasks.max=3}, both transforms, LISTEN/NOTIFY, connector-defined
 * transactions); a consumer ({@code FileStreamSink} behind {@code EventVersion}) that dead-letters
 * the poison events; the DLQ archive from its example. Faults are injected through {@link #inject},
 * which times each recovery; {@link #finish} stops the writers, waits for the pipeline to drain and
 * audits it.
 *
 * <p>How long the writers run: {@code -Dfaults.duration} (ISO-8601, {@code PT12S} by default).
 */
final class FaultPipeline implements AutoCloseable {

  static final String OUTBOX = "orders-outbox";
  static final String EVENTS = OrdersConsumer.EVENTS;
  static final String DLQ = OrdersConsumer.DLQ;
  static final String ARCHIVE = "dead_letter_archive";
  static final int TASKS = 3;

  /** The outbox's database and capture mode, and how many tasks it runs. */
  enum Mode {
    /** PostgreSQL poll mode, {@value FaultPipeline#TASKS} tasks, woken by LISTEN/NOTIFY. */
    POLL(DatabaseServer.Kind.POSTGRESQL, TASKS),
    /**
     * PostgreSQL log mode through the embedded Debezium: one task, its own slot and publication.
     */
    LOG(DatabaseServer.Kind.POSTGRESQL, 1),
    /**
     * MariaDB poll mode, {@value FaultPipeline#TASKS} tasks polling every 200 ms; the archive is in
     * MariaDB too.
     */
    MARIADB_POLL(DatabaseServer.Kind.MARIADB, TASKS);

    final DatabaseServer.Kind database;
    final int tasks;

    Mode(DatabaseServer.Kind database, int tasks) {
      this.database = database;
      this.tasks = tasks;
    }

    DatabaseServer startDatabase() {
      return switch (database) {
        case POSTGRESQL -> PostgresServer.start();
        case MARIADB -> MariaDbServer.start();
      };
    }
  }

  /** The Kafka Connect version of the process workers: the runtime Eventkit is built against. */
  static final String PROCESS_WORKER_VERSION = "4.3";

  /** The replication slot of {@link Mode#LOG}. */
  static final String SLOT = "faults_outbox";

  /** The writers' combined pace, transactions per second. */
  private static final int TRANSACTIONS_PER_SECOND = 100;

  /** Three minutes, or two more than Connect's rebalance delay when that is longer. */
  private static final Duration RECOVERY_LIMIT =
      Duration.ofMinutes(3).compareTo(rebalanceDelay().plusMinutes(2)) >= 0
          ? Duration.ofMinutes(3)
          : rebalanceDelay().plusMinutes(2);

  /** How long nothing may move before the audit reads. */
  private static final Duration QUIET = Duration.ofSeconds(3);

  /** How long every task must stay RUNNING after the deploy before the writers start. */
  private static final Duration STEADY = Duration.ofSeconds(5);

  private final DatabaseServer database;
  private final ConnectCluster cluster;
  private final TestDatabase db;
  private final OutboxLedger ledger;
  private final Path examples;
  private final Mode mode;
  private final int brokers;
  private final List<ConnectWorkerProcess> processWorkers = new ArrayList<>();
  private PublishedProgress progress;
  private FailedTaskWatch failedTasks;
  private int faults;
  private Duration longestRecovery = Duration.ZERO;

  private final Path plugins;
  private Path consumed;

  private FaultPipeline(
      DatabaseServer database,
      ConnectCluster cluster,
      Path plugins,
      Path examples,
      Mode mode,
      int brokers) {
    this.mode = mode;
    this.brokers = brokers;
    this.database = database;
    this.cluster = cluster;
    this.plugins = plugins;
    this.examples = examples;
    this.db = database.createDatabase();
    this.ledger = OutboxLedger.create(db, TRANSACTIONS_PER_SECOND);
  }

  /** Starts the pipeline in poll mode; see {@link #start(Mode, int)}. */
  static FaultPipeline start() throws IOException {
    return start(Mode.POLL, 0);
  }

  /** Starts the pipeline; see {@link #start(Mode, int)}. */
  static FaultPipeline start(Mode mode) throws IOException {
    return start(mode, 0);
  }

  /**
   * Starts the database, the workers and the connectors; the writers are not running yet. Of the
   * three workers, {@code processWorkers} are Kafka Connect {@value #PROCESS_WORKER_VERSION}
   * processes of their own ({@link #killWorkerRunningAnOutboxTask} can kill one as a lost host
   * dies), the others embedded in this JVM.
   */
  static FaultPipeline start(Mode mode, int processWorkers) throws IOException {
    return start(mode, processWorkers, brokers());
  }

  /**
   * Starts the pipeline as {@link #start(Mode, int)} does, on {@code brokers} Kafka brokers; with
   * three or more, every topic has three replicas and writes need two in sync, as in production.
   */
  static FaultPipeline start(Mode mode, int processWorkers, int brokers) throws IOException {
    Path home = Path.of(System.getProperty("eventkit.home", ".."));
    Path plugins = PackagedPlugin.unpack(home, System.getProperty("eventkit.version"));
    DatabaseServer database = mode.startDatabase();
    ConnectCluster cluster;
    try {
      ConnectCluster.Builder builder =
          ConnectCluster.builder()
              .name("eventkit-faults")
              .workers(3 - processWorkers)
              .brokers(brokers)
              .exactlyOnceSource(true)
              .pluginPath(plugins)
              .workerProp("connector.client.config.override.policy", "All");
      builder.workerProp(
          "scheduled.rebalance.max.delay.ms", Long.toString(rebalanceDelay().toMillis()));
      transactionVersion().ifPresent(builder::transactionVersion);
      if (brokerProcess() && brokers() != 1) {
        throw new IllegalArgumentException(
            "A broker process is one broker: -Dfaults.broker.process, -Dfaults.broker.kill and"
                + " -Dfaults.broker.controller=separate need -Dfaults.brokers=1, not "
                + brokers());
      }
      // The rolling restart's three brokers stay embedded whatever the options say.
      if (brokers == 1 && brokerProcess()) {
        builder.brokerProcess(
            Path.of(System.getProperty("faults.brokers.dir", "target/brokers"))
                .resolve("broker-" + System.nanoTime()),
            separateController());
      }
      cluster = builder.start();
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
    FaultPipeline pipeline = null;
    try {
      pipeline =
          new FaultPipeline(
              database, cluster, plugins, home.resolve("config-examples"), mode, brokers);
      for (int i = 0; i < processWorkers; i++) {
        pipeline.addProcessWorker();
      }
      pipeline.deploy();
      return pipeline;
    } catch (IOException | RuntimeException | Error e) {
      if (pipeline != null) {
        pipeline.close();
      } else {
        try {
          cluster.close();
        } finally {
          database.close();
        }
      }
      throw e;
    }
  }

  /** How long the writers run, {@code -Dfaults.duration}. */
  static Duration duration() {
    return Duration.parse(System.getProperty("faults.duration", "PT12S"));
  }

  /** How many times a scenario injects its fault, {@code -Dfaults.rounds} (default 2). */
  static int rounds() {
    return rounds(2);
  }

  /**
   * How many times a scenario injects its fault, {@code -Dfaults.rounds} (or {@code byDefault}).
   */
  static int rounds(int byDefault) {
    String value = System.getProperty("faults.rounds", "").trim();
    int rounds = value.isEmpty() ? byDefault : Integer.parseInt(value);
    if (rounds < 1) {
      throw new IllegalArgumentException("-Dfaults.rounds must be at least 1, not " + rounds);
    }
    return rounds;
  }

  /**
   * How many Kafka brokers, {@code -Dfaults.brokers} (default 1); Connect's internal topics and the
   * transaction state log are replicated to all of them.
   */
  static int brokers() {
    return Integer.parseInt(System.getProperty("faults.brokers", "1"));
  }

  /**
   * The workers' {@code scheduled.rebalance.max.delay.ms}, {@code -Dfaults.rebalance.delay}
   * (ISO-8601): 5 s by default, so that a lost worker's tasks move soon; {@code PT5M} is Connect's
   * own default, with which they wait five minutes.
   */
  static Duration rebalanceDelay() {
    return Duration.parse(System.getProperty("faults.rebalance.delay", "PT5S"));
  }

  /**
   * Whether a pipeline of one broker runs it in a process of its own ({@code
   * -Dfaults.broker.process=true}, or {@code -Dfaults.broker.kill=true} or {@code
   * -Dfaults.broker.controller=separate}, which need one), rather than embedded in this JVM.
   */
  static boolean brokerProcess() {
    return Boolean.getBoolean("faults.broker.process") || brokerKilled() || separateController();
  }

  /**
   * Whether the broker process's KRaft controller runs in a process of its own, left running when
   * the broker restarts ({@code -Dfaults.broker.controller=separate}); by default broker and
   * controller share the process and restart together.
   */
  static boolean separateController() {
    return "separate".equals(System.getProperty("faults.broker.controller", "combined"));
  }

  /**
   * Whether a whole-cluster restart kills the broker (SIGKILL, {@code -Dfaults.broker.kill=true})
   * rather than stopping it cleanly.
   */
  static boolean brokerKilled() {
    return Boolean.getBoolean("faults.broker.kill");
  }

  /**
   * The cluster's transaction protocol, {@code -Dfaults.transaction.version} (1 or 2); empty for
   * the brokers' default.
   */
  static java.util.OptionalInt transactionVersion() {
    String level = System.getProperty("faults.transaction.version", "");
    return level.isBlank()
        ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(Integer.parseInt(level));
  }

  ConnectCluster cluster() {
    return cluster;
  }

  /** The outbox's database server, to stop and start. */
  DatabaseServer database() {
    return database;
  }

  TestDatabase db() {
    return db;
  }

  /** Starts the writers and waits until events flow end to end. */
  void startWriting() {
    ledger.start();
    Awaitility.await("the first events published")
        .atMost(Duration.ofMinutes(2))
        .until(() -> progress.published() >= 50);
  }

  /**
   * Lets the writers write for {@code span} and waits until the pipeline has also published at
   * least 50 new events a second of it meanwhile (the writers commit about 100), so it kept
   * flowing.
   */
  void keepWriting(Duration span) {
    long until = System.nanoTime() + span.toNanos();
    long target = progress.published() + Math.max(1, span.toSeconds()) * 50;
    Awaitility.await("the pipeline publishing for " + span)
        .atMost(span.multipliedBy(4).plus(Duration.ofMinutes(1)))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> System.nanoTime() >= until && progress.published() >= target);
  }

  /**
   * Starts one more worker, a process of its own that joins the group with the embedded workers'
   * settings, and waits until the group has settled (no rebalance for {@link #STEADY}).
   */
  void addProcessWorker() throws IOException {
    WorkerDistribution distribution =
        WorkerDistribution.configured("eventkit.compat.workers").stream()
            .filter(d -> d.version().startsWith(PROCESS_WORKER_VERSION + "."))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("No " + PROCESS_WORKER_VERSION + " worker"));
    Path workDir =
        Path.of(System.getProperty("faults.workers.dir", "target/workers"))
            .resolve("worker-" + System.nanoTime());
    Map<String, String> config = new HashMap<>(cluster.groupConfig());
    // Kafka's FileStream connectors (the consumer) are plugins since 3.2, off the worker's class
    // path: installed beside Eventkit, as an operator would.
    config.put("plugin.path", plugins.toAbsolutePath() + "," + fileConnectorPlugin(workDir));
    processWorkers.add(
        ConnectWorkerProcess.start(
            distribution, cluster.bootstrapServers(), plugins, workDir, config));
    awaitGroupSettled();
  }

  /** A plugin directory holding Kafka's connect-file jar, the one this JVM loads. */
  private static Path fileConnectorPlugin(Path workDir) throws IOException {
    Path jar;
    try {
      jar =
          Path.of(
              org.apache.kafka.connect.file.FileStreamSinkConnector.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    Path plugin = Files.createDirectories(workDir.resolve("plugins").resolve("connect-file"));
    Files.copy(jar, plugin.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    return plugin.getParent();
  }

  /**
   * Kills (SIGKILL) a process worker that runs at least one outbox task, as a lost host dies: it
   * neither leaves the group nor stops its tasks. Returns its id in the status answers.
   */
  String killWorkerRunningAnOutboxTask() throws InterruptedException {
    for (JsonNode task : cluster.status(OUTBOX).path("tasks")) {
      String workerId = task.path("worker_id").asText();
      int port = Integer.parseInt(workerId.substring(workerId.lastIndexOf(':') + 1));
      for (ConnectWorkerProcess worker : processWorkers) {
        if (worker.restPort() == port) {
          worker.kill();
          processWorkers.remove(worker);
          return workerId;
        }
      }
    }
    throw new AssertionError(
        "No process worker runs an outbox task: " + cluster.status(OUTBOX).path("tasks"));
  }

  /**
   * Waits until every embedded worker reports no rebalance in progress and none for {@link #STEADY}
   * (Connect's rebalance metrics, {@code kafka.connect:type=connect-worker-rebalance-metrics}).
   */
  private void awaitGroupSettled() {
    var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
    Awaitility.await("the worker group settled")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              var names =
                  server.queryNames(
                      new javax.management.ObjectName(
                          "kafka.connect:type=connect-worker-rebalance-metrics,*"),
                      null);
              if (names.isEmpty()) {
                return false;
              }
              for (var name : names) {
                Object rebalancing = server.getAttribute(name, "rebalancing");
                Object since = server.getAttribute(name, "time-since-last-rebalance-ms");
                if (!Double.valueOf(0).equals(toDouble(rebalancing))
                    || toDouble(since) < STEADY.toMillis()) {
                  return false;
                }
              }
              return true;
            });
  }

  private static Double toDouble(Object metric) {
    if (metric instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    return metric instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** The topics the pipeline's exactly-once producers write: Connect's offsets and the events. */
  List<String> pipelineTopics() {
    return List.of(cluster.groupConfig().get("offset.storage.topic"), EVENTS);
  }

  /**
   * After a stall: aborts the hanging transactions on the pipeline's topics that the operating
   * notes allow to abort (those open on the offsets topic too), waits until everything committed
   * when the fault ended is published, and counts that time in the fault's recovery; returns how
   * many were aborted (none: the stall was something else, or the notes say to look further, and
   * the wait is not made).
   */
  int releaseHangingTransactions(NotRecovered stall) throws Exception {
    int aborted =
        StallEvidence.abortHanging(
                cluster, pipelineTopics(), cluster.groupConfig().get("offset.storage.topic"))
            .size();
    if (aborted > 0) {
      Duration recovery =
          progress.awaitPublished(
              stall.committed,
              stall.startedNanos,
              RECOVERY_LIMIT.multipliedBy(2),
              failedTasks::assertNoOtherFailure);
      recorded(recovery);
      System.out.printf(
          "fault %d: everything committed until it ended published %.1f s after it began, once"
              + " %d hanging transactions were aborted%n",
          faults, recovery.toMillis() / 1000.0, aborted);
    }
    return aborted;
  }

  /** The pipeline did not publish what a fault left committed within the recovery limit. */
  static final class NotRecovered extends RuntimeException {
    private final transient Set<UUID> committed;
    private final long startedNanos;
    private final transient List<OperatorView.Task> seen;

    NotRecovered(
        String what,
        Set<UUID> committed,
        long startedNanos,
        List<OperatorView.Task> seen,
        Throwable timeout) {
      super("Not recovered from " + what + " within " + RECOVERY_LIMIT, timeout);
      this.committed = committed;
      this.startedNanos = startedNanos;
      this.seen = List.copyOf(seen);
    }

    /** The outbox tasks as an operator's monitoring showed them when the limit passed. */
    List<OperatorView.Task> seen() {
      return seen;
    }
  }

  private void recorded(Duration recovery) {
    if (recovery.compareTo(longestRecovery) > 0) {
      longestRecovery = recovery;
    }
  }

  /** Per writer, how many of its transactions failed on a database error so far. */
  long[] writerFailures() {
    return ledger.failuresPerWriter();
  }

  /**
   * Stops the database and keeps it down until every writer has found it down (connections refused,
   * transactions in flight lost), then starts it again on the same data directory.
   */
  void restartDatabase() {
    long[] before = writerFailures();
    database.stop();
    Awaitility.await("every writer failing")
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> {
              long[] now = writerFailures();
              return IntStream.range(0, now.length).allMatch(w -> now[w] > before[w]);
            });
    database.startAgain();
  }

  /**
   * Runs {@code fault}, then waits until everything committed when it ended is published, and
   * returns how long that took from the fault's start (its recovery time: the outage and the
   * catching up after it).
   */
  Duration inject(String what, Fault fault) throws Exception {
    java.time.Instant startedAt = java.time.Instant.now();
    long started = System.nanoTime();
    fault.inject();
    faults++;
    Duration injecting = Duration.ofNanos(System.nanoTime() - started);
    Set<UUID> committed = ledger.committedEvents();
    Duration recovery;
    try {
      recovery =
          progress.awaitPublished(
              committed, started, RECOVERY_LIMIT, failedTasks::assertNoOtherFailure);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<OperatorView.Task> seen = OperatorView.tasks(OUTBOX, TASKS);
      StallEvidence.print(cluster, OUTBOX, seen, pipelineTopics());
      throw new NotRecovered(what, committed, started, seen, e);
    }
    recorded(recovery);
    System.out.printf(
        "fault %d (%s at %s, %.1f s): everything committed until it ended published %.1f s after"
            + " it began%n",
        faults, what, startedAt, injecting.toMillis() / 1000.0, recovery.toMillis() / 1000.0);
    return recovery;
  }

  /**
   * Stops the writers, waits until every committed event is published and every poison event
   * archived, and returns the audit (also printed as its one-line verdict).
   */
  DeliveryAudit.Verdict finish() throws InterruptedException {
    failedTasks.assertNoOtherFailure();
    ledger.stop();
    progress.awaitPublished(
        ledger.committedEvents(),
        System.nanoTime(),
        RECOVERY_LIMIT,
        failedTasks::assertNoOtherFailure);
    long poison = ledger.poisonEvents();
    Awaitility.await("the poison events archived")
        .atMost(RECOVERY_LIMIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> db.queryForLong("SELECT count(*) FROM " + ARCHIVE) >= poison);
    awaitQuiet();
    DeliveryAudit.Verdict verdict =
        DeliveryAudit.audit(db, cluster, EVENTS, DLQ, ARCHIVE, faults, longestRecovery);
    System.out.println(verdict.line());
    verdict.examples().forEach(defect -> System.out.println("  " + defect));
    // Who wrote each copy, and which marker made it visible: the batches a consumer cannot see.
    for (DeliveryAudit.Span span : verdict.duplicateSpans()) {
      cluster
          .logBatches(new TopicPartition(EVENTS, span.partition()), span.from() - 2, span.to() + 2)
          .forEach(batch -> System.out.println("  " + batch));
    }
    System.out.printf(
        "outbox tasks restarted after Kafka's InvalidTxnStateException: %d %s%n",
        failedTasks.restarted().size(), failedTasks.restarted());
    failedTasks.assertNoOtherFailure();
    return verdict;
  }

  /**
   * Waits until nothing moves for {@link #QUIET}: the events topic, the dead-letter topic and the
   * archive keep their sizes, so a late duplicate is in what the audit reads.
   */
  private void awaitQuiet() {
    String[] last = {""};
    long[] since = {System.nanoTime()};
    Awaitility.await("the pipeline quiet for " + QUIET)
        .atMost(RECOVERY_LIMIT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              String now =
                  cluster.topics().endOffsets(EVENTS)
                      + " "
                      + cluster.topics().endOffsets(DLQ)
                      + " "
                      + db.queryForLong("SELECT count(*) FROM " + ARCHIVE);
              if (!now.equals(last[0])) {
                last[0] = now;
                since[0] = System.nanoTime();
              }
              return System.nanoTime() - since[0] >= QUIET.toNanos();
            });
  }

  @Override
  public void close() {
    try {
      if (failedTasks != null) {
        failedTasks.close();
      }
      try {
        ledger.stop();
      } finally {
        if (progress != null) {
          progress.close();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        for (ConnectWorkerProcess worker : processWorkers) {
          worker.close();
        }
        cluster.close();
      } finally {
        database.close();
        deleteQuietly(plugins);
        deleteQuietly(consumed);
      }
    }
  }

  private static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try (var paths = Files.walk(path)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("Could not delete " + path + ": " + e);
    }
  }

  /** Deploys the three connectors over REST from the config examples, as the quickstart does. */
  private void deploy() throws IOException {
    Map<String, String> connection = new HashMap<>();
    connection.put("connection.url", db.jdbcUrl());
    connection.put("connection.user", db.user());
    connection.put("connection.password", db.password());

    // Created up front: the progress probe follows them, and the archive subscribes by regex.
    int replicas = Math.min(brokers, 3);
    cluster.topics().create(EVENTS, 3, replicas);
    cluster.topics().create(DLQ, 1, replicas);
    progress = PublishedProgress.follow(cluster.bootstrapServers(), EVENTS, 3);

    // One connector at a time, each RUNNING before the next, the outbox last and then steady: a
    // connector created while the workers still rebalance over an earlier one can lose a task to
    // Connect's exactly-once start-up race (docs/reliability.md, "A startup race in Connect").
    consumed = Files.createTempFile("orders-consumer", ".txt");
    // Reads committed records only, as a downstream service of an exactly-once pipeline would.
    String consumer =
        OrdersConsumer.config(
            consumed, Map.of("consumer.override.isolation.level", "read_committed"));
    cluster.createConnector(consumer, Map.of());
    cluster.awaitRunning(OrdersConsumer.NAME, 1);

    Map<String, String> archive = new HashMap<>(connection);
    archive.put("topics.regex", "order\\.dlq");
    cluster.createConnector(
        "dead-letter-archive", examples.resolve("dlq-archive-postgres.json"), archive);
    cluster.awaitRunning("dead-letter-archive", 1);

    Map<String, String> outbox = new HashMap<>(connection);
    outbox.put("tasks.max", Integer.toString(mode.tasks));
    if (mode == Mode.POLL) {
      // Small batches: transactions and interleavings span polls and Kafka transactions.
      outbox.put("poll.max.rows", "50");
      outbox.put("poll.notify.channel", "outbox_events");
    } else if (mode == Mode.MARIADB_POLL) {
      // The default poll.max.rows: every MariaDB task reads every id, at most poll.max.rows per
      // decision about a gap (docs/reliability.md, "MariaDB: how far a read reaches").
      outbox.put("poll.interval.ms", "200"); // MariaDB has no LISTEN/NOTIFY to wake the tasks
    } else {
      outbox.put("poll.max.rows", "50");
      outbox.put("capture.mode", "log");
      outbox.put("log.slot.name", SLOT);
      outbox.put("log.publication.name", SLOT);
      outbox.put("log.heartbeat.interval.ms", "1000");
    }
    outbox.put("exactly.once.support", "required");
    outbox.put("transaction.boundary", "connector");
    cluster.createConnector(OUTBOX, examples.resolve("outbox-postgres-cloudevents.json"), outbox);
    awaitSteady();
    failedTasks = FailedTaskWatch.start(cluster, OUTBOX);
  }

  /**
   * Waits until every task of the pipeline has stayed RUNNING for {@link #STEADY} on end, failing
   * at once, with the task's trace, if one FAILED: the faults begin from a settled cluster.
   */
  private void awaitSteady() {
    Map<String, Integer> tasks =
        Map.of(OUTBOX, mode.tasks, OrdersConsumer.NAME, 1, "dead-letter-archive", 1);
    Awaitility.await("every task RUNNING for " + STEADY)
        .atMost(Duration.ofMinutes(2))
        .during(STEADY)
        .pollInterval(Duration.ofMillis(250))
        .failFast(
            "a task FAILED while the pipeline was deployed",
            () -> {
              for (String connector : tasks.keySet()) {
                for (JsonNode task : cluster.status(connector).path("tasks")) {
                  if ("FAILED".equals(task.path("state").asText())) {
                    throw new AssertionError(
                        connector + " task " + task.path("id") + " FAILED: " + task.path("trace"));
                  }
                }
              }
              return false;
            })
        .until(
            () ->
                tasks.entrySet().stream().allMatch(e -> runningTasks(e.getKey()) == e.getValue()));
  }

  private long runningTasks(String connector) {
    JsonNode status = cluster.status(connector);
    if (!"RUNNING".equals(status.path("connector").path("state").asText())) {
      return -1;
    }
    long running = 0;
    for (JsonNode task : status.path("tasks")) {
      running += "RUNNING".equals(task.path("state").asText()) ? 1 : 0;
    }
    return status.path("tasks").size() == running ? running : -1;
  }

  /** One fault, injected (and, where it has one, undone) before it returns. */
  @FunctionalInterface
  interface Fault {
    void inject() throws Exception;
  }
}
