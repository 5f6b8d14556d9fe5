package dev.eventkit.testkit.connect.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.awaitility.Awaitility;

/**
 * One Kafka broker in a JVM of its own, started the way operators start one ({@code kafka.Kafka}
 * with a {@code server.properties}, KRaft, storage formatted first; its controller in the same
 * process, or in one of its own), so that it can be stopped the two ways a real one stops: {@link
 * #stop()} sends SIGTERM (a clean shutdown: controlled shutdown, producer state snapshots, the
 * clean-shutdown marker) and {@link #kill()} SIGKILL (none of those: on its next start the broker
 * recovers its logs and rebuilds producer state from them). {@link #startAgain()} starts it again
 * on the same ports and logs. The class path is this JVM's own, so the broker is the Kafka version
 * the tests run.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final Path workDir;
  private final Path serverProperties;
  private final Path logDir;
  private final int port;

  /**
   * Kills the broker (and its controller) if this JVM exits first, e.g. a test ended on a timeout;
   * a JVM killed with SIGKILL runs no hook, and leaves them running.
   */
  private final Thread reaper = new Thread(this::destroyForcibly, "kafka-broker-reaper");

  private volatile Process process;

  /** The KRaft controller's process, when it runs apart from the broker; otherwise null. */
  private volatile Process controller;

  private int starts;

  private KafkaBrokerProcess(Path workDir, Path serverProperties, Path logDir, int port) {
    this.workDir = workDir;
    this.serverProperties = serverProperties;
    this.logDir = logDir;
    this.port = port;
  }

  /**
   * Writes the broker's configuration under {@code workDir}, formats its storage and starts it,
   * broker and controller in one process; returns once it answers an admin client.
   *
   * @param brokerProps extra broker properties (they win over the defaults here)
   */
  public static KafkaBrokerProcess start(Path workDir, Map<String, String> brokerProps)
      throws IOException {
    return start(workDir, brokerProps, false);
  }

  /**
   * As {@link #start(Path, Map)}; with {@code separateController} the KRaft controller runs in a
   * process of its own, which {@link #stop()}, {@link #kill()} and {@link #startAgain()} leave
   * running, as when only the brokers of a cluster restart.
   */
  public static KafkaBrokerProcess start(
      Path workDir, Map<String, String> brokerProps, boolean separateController)
      throws IOException {
    workDir = Files.createDirectories(workDir).toAbsolutePath();
    int[] ports = ChildJvms.freePorts(2);
    int port = ports[0];
    int controllerPort = ports[1];
    int controllerId = separateController ? 2 : 1;
    Path logDir = workDir.resolve("logs");
    Properties props = new Properties();
    props.setProperty("process.roles", separateController ? "broker" : "broker,controller");
    props.setProperty("node.id", "1");
    props.setProperty("controller.quorum.voters", controllerId + "@localhost:" + controllerPort);
    props.setProperty(
        "listeners",
        "PLAINTEXT://localhost:"
            + port
            + (separateController ? "" : ",CONTROLLER://localhost:" + controllerPort));
    props.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port);
    props.setProperty("controller.listener.names", "CONTROLLER");
    props.setProperty("inter.broker.listener.name", "PLAINTEXT");
    props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.setProperty("log.dirs", logDir.toString());
    props.setProperty("auto.create.topics.enable", "false");
    props.setProperty("offsets.topic.replication.factor", "1");
    props.setProperty("transaction.state.log.replication.factor", "1");
    props.setProperty("transaction.state.log.min.isr", "1");
    props.setProperty("group.initial.rebalance.delay.ms", "0");
    props.putAll(brokerProps);
    Path brokerConfig = write(workDir.resolve("server.properties"), props, "Kafka broker");
    Path controllerConfig = null;
    if (separateController) {
      Properties controller = new Properties();
      controller.putAll(brokerProps);
      controller.setProperty("process.roles", "controller");
      controller.setProperty("node.id", Integer.toString(controllerId));
      controller.setProperty(
          "controller.quorum.voters", controllerId + "@localhost:" + controllerPort);
      controller.setProperty("listeners", "CONTROLLER://localhost:" + controllerPort);
      controller.setProperty("controller.listener.names", "CONTROLLER");
      controller.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT");
      controller.setProperty("log.dirs", workDir.resolve("controller-logs").toString());
      controllerConfig =
          write(workDir.resolve("controller.properties"), controller, "Kafka KRaft controller");
    }
    ChildJvms.writeConsoleLog4j2(workDir.resolve("log4j2.properties"), "[%d] %p [%t] %m (%c)%n");
    KafkaBrokerProcess broker = new KafkaBrokerProcess(workDir, brokerConfig, logDir, port);
    String clusterId = Uuid.randomUuid().toString();
    broker.format(brokerConfig, clusterId, "format-broker.log");
    if (controllerConfig != null) {
      broker.format(controllerConfig, clusterId, "format-controller.log");
    }
    Runtime.getRuntime().addShutdownHook(broker.reaper);
    try {
      if (controllerConfig != null) {
        broker.controller =
            broker.run("kafka.Kafka", controllerConfig, workDir.resolve("controller.log"));
      }
      broker.launch();
    } catch (IOException | RuntimeException | Error e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  private static Path write(Path file, Properties props, String what) throws IOException {
    try (var out = Files.newBufferedWriter(file)) {
      props.store(out, what + " in a process of its own (Eventkit testkit)");
    }
    return file;
  }

  /** {@code kafka-storage.sh format} of one node's storage, for the cluster {@code clusterId}. */
  private void format(Path config, String clusterId, String logName) throws IOException {
    List<String> command = java("-Xmx256m");
    command.add("kafka.tools.StorageTool");
    command.add("format");
    command.add("--cluster-id");
    command.add(clusterId);
    command.add("--config");
    command.add(config.toString());
    Path output = workDir.resolve(logName);
    Process format =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try {
      if (!format.waitFor(2, TimeUnit.MINUTES) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IllegalStateException(
            "Formatting the storage of " + config + " failed: " + Files.readString(output));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts the broker again, after {@link #stop()} or {@link #kill()}, on its ports and logs;
   * returns once it answers an admin client.
   */
  public void startAgain() throws IOException {
    launch();
  }

  private synchronized void launch() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("The broker is running");
    }
    starts++;
    Path log = workDir.resolve("broker-" + starts + ".log");
    process = run("kafka.Kafka", serverProperties, log);
    try (Admin admin = admin()) {
      Awaitility.await("the broker process answering on port " + port)
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .failFast(
              "the broker process (or its controller's) exited; see " + workDir,
              () -> !process.isAlive() || (controller != null && !controller.isAlive()))
          .until(() -> !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty());
    }
  }

  /**
   * Stops the broker as {@code kafka-server-stop.sh} does (SIGTERM): a clean shutdown, waited for.
   */
  public synchronized void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("The broker did not stop within " + STOP_TIMEOUT);
    }
  }

  /**
   * Kills the broker at once (SIGKILL), as a lost host or an OOM killer does: no controlled
   * shutdown, no snapshots, no clean-shutdown marker. What it wrote stays in the files (the page
   * cache survives a process), as after a real kill.
   */
  public synchronized void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      throw new IllegalStateException("The broker did not die");
    }
  }

  public String bootstrapServers() {
    return "localhost:" + port;
  }

  /**
   * The process id of the KRaft controller running apart from the broker, while it runs; empty when
   * the controller shares the broker's process or has exited.
   */
  public java.util.OptionalLong controllerPid() {
    Process quorum = controller;
    return quorum != null && quorum.isAlive()
        ? java.util.OptionalLong.of(quorum.pid())
        : java.util.OptionalLong.empty();
  }

  /** The broker's node id (the only one). */
  public int nodeId() {
    return 1;
  }

  /** The directory of the broker's logs, one folder per partition. */
  public Path logDir() {
    return logDir;
  }

  private Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            5_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            10_000));
  }

  /**
   * Starts {@code mainClass} with {@code config} in a JVM of its own, its output to {@code log}.
   */
  private Process run(String mainClass, Path config, Path log) throws IOException {
    List<String> command = java("-Xmx768m");
    command.add(mainClass);
    command.add(config.toString());
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .directory(workDir.toFile())
        .start();
  }

  private List<String> java(String maxHeap) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms64m");
    command.add(maxHeap);
    command.add("-Dlog4j2.configurationFile=" + workDir.resolve("log4j2.properties"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    return command;
  }

  /** The reaper's work: not synchronized, so a JVM exit during a start is not held up by it. */
  private void destroyForcibly() {
    Process broker = process;
    Process quorum = controller;
    if (broker != null) {
      broker.destroyForcibly();
    }
    if (quorum != null) {
      quorum.destroyForcibly();
    }
  }

  @Override
  public void close() {
    ChildJvms.removeReaper(reaper);
    Process broker;
    Process quorum;
    synchronized (this) {
      broker = process;
      quorum = controller;
    }
    try {
      ChildJvms.stop(broker);
    } finally {
      ChildJvms.stop(quorum);
    }
  }

  @Override
  public String toString() {
    return "Kafka broker process at "
        + bootstrapServers()
        + (controller != null ? ", its controller apart" : "")
        + " (logs in "
        + logDir
        + ")";
  }
}
