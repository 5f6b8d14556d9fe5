package dev.eventkit.testkit.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.testkit.connect.process.KafkaBrokerProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.awaitility.Awaitility;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A real KRaft Kafka cluster with real distributed Connect workers ({@link
 * EmbeddedConnectCluster}), driven the way users drive Connect: JSON over its REST API.
 *
 * <p>Start one per test class; connectors get unique names per test. With {@link
 * Builder#brokerProcess(Path)} the workers use a broker in a process of its own instead of the
 * embedded brokers, so that it can be killed ({@link #killBrokers()}).
 */
public final class ConnectCluster implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  private static final String TRANSACTION_VERSION = "transaction.version";

  private final EmbeddedConnectCluster connect;
  private final org.apache.kafka.connect.util.clusters.WorkerHandle fixedPortWorker;
  private final Map<String, String> workerConfig;
  private final KafkaBrokerProcess brokerProcess;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private ConnectCluster(
      EmbeddedConnectCluster connect,
      org.apache.kafka.connect.util.clusters.WorkerHandle fixedPortWorker,
      Map<String, String> workerConfig,
      KafkaBrokerProcess brokerProcess) {
    this.connect = connect;
    this.fixedPortWorker = fixedPortWorker;
    this.workerConfig = Map.copyOf(workerConfig);
    this.brokerProcess = brokerProcess;
  }

  /**
   * The settings this cluster's workers run with, as the embedded cluster filled them in (group,
   * internal topics, brokers, converters, exactly-once), without their REST listeners: what a
   * worker started elsewhere, such as a {@code ConnectWorkerProcess}, needs to join the group.
   */
  public Map<String, String> groupConfig() {
    Map<String, String> config = new HashMap<>(workerConfig);
    for (String rest :
        List.of(
            "listeners",
            "rest.advertised.host.name",
            "rest.advertised.port",
            "rest.advertised.listener",
            "rest.host.name",
            "rest.port",
            "plugin.path")) {
      config.remove(rest);
    }
    return config;
  }

  /** The REST URL of the worker listening on the fixed port, if one was asked for. */
  public java.util.Optional<java.net.URI> fixedPortUrl() {
    return java.util.Optional.ofNullable(fixedPortWorker).map(w -> w.url());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The Kafka Connect test cluster itself, for what this class does not wrap. */
  public EmbeddedConnectCluster connect() {
    return connect;
  }

  /**
   * The embedded Kafka cluster; with a {@link Builder#brokerProcess(Path) broker process} it idles,
   * and the workers use {@link #brokerProcess()} instead: reach Kafka through {@link
   * #bootstrapServers()}, {@link #admin()} and {@link #topics()}.
   */
  public EmbeddedKafkaCluster kafka() {
    if (brokerProcess != null) {
      throw new IllegalStateException(
          "The workers use a broker process, not the embedded Kafka: use bootstrapServers(),"
              + " admin() or topics()");
    }
    return connect.kafka();
  }

  /** The Kafka the workers use. */
  public String bootstrapServers() {
    return brokerProcess != null
        ? brokerProcess.bootstrapServers()
        : connect.kafka().bootstrapServers();
  }

  /** A new admin client of the Kafka the workers use; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  /** The broker process the workers use, if the cluster was built with one. */
  public Optional<KafkaBrokerProcess> brokerProcess() {
    return Optional.ofNullable(brokerProcess);
  }

  /** The REST URL of {@code resource} on a running worker, e.g. {@code connectors}. */
  public String restUrl(String resource) {
    return connect.endpointForResource(resource);
  }

  public Topics topics() {
    return new Topics(bootstrapServers());
  }

  // ---- REST ----------------------------------------------------------------------------------

  /** A REST call's status and body. */
  public record RestResponse(int status, String body) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("Response is not JSON: " + body, e);
      }
    }

    public RestResponse expectSuccess(String what) {
      if (status < 200 || status >= 300) {
        throw new AssertionError(what + " failed with HTTP " + status + ": " + body);
      }
      return this;
    }
  }

  public RestResponse get(String resource) {
    return send(HttpRequest.newBuilder(URI.create(restUrl(resource))).GET());
  }

  public RestResponse delete(String resource) {
    return send(HttpRequest.newBuilder(URI.create(restUrl(resource))).DELETE());
  }

  public RestResponse post(String resource, String jsonBody) {
    return send(
        HttpRequest.newBuilder(URI.create(restUrl(resource)))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  public RestResponse put(String resource, String jsonBody) {
    return send(
        HttpRequest.newBuilder(URI.create(restUrl(resource)))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  public RestResponse patch(String resource, String jsonBody) {
    return send(
        HttpRequest.newBuilder(URI.create(restUrl(resource)))
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(jsonBody)));
  }

  private RestResponse send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          http.send(request.timeout(DEFAULT_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      return new RestResponse(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("Connect REST call failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted during a Connect REST call", e);
    }
  }

  // ---- Connectors ----------------------------------------------------------------------------

  /**
   * Reads a {@code POST /connectors} body ({@code {"name": ..., "config": {...}}}) from a file,
   * overrides the given config keys (the values a user would edit in, such as the database URL of
   * this test run) and posts it. Returns the connector name.
   */
  public String createConnector(Path jsonFile, Map<String, String> configOverrides) {
    try {
      return createConnector(Files.readString(jsonFile), configOverrides);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read connector config " + jsonFile, e);
    }
  }

  /** As {@link #createConnector(Path, Map)}, under another connector name. */
  public String createConnector(String name, Path jsonFile, Map<String, String> configOverrides) {
    try {
      ObjectNode body = withOverrides(Files.readString(jsonFile), configOverrides);
      body.put("name", name);
      post("connectors", body.toString()).expectSuccess("POST /connectors " + name);
      return name;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read connector config " + jsonFile, e);
    }
  }

  /**
   * Validates a connector config file through {@code PUT
   * /connector-plugins/{class}/config/validate} and returns Connect's answer ({@code error_count},
   * {@code configs[].value.errors}).
   */
  public JsonNode validateConnector(Path jsonFile, Map<String, String> configOverrides) {
    try {
      ObjectNode body = withOverrides(Files.readString(jsonFile), configOverrides);
      ObjectNode config = (ObjectNode) body.get("config");
      // Connect validates the name too; users put it in the config when they validate.
      config.put("name", body.get("name").asText());
      String connectorClass = config.get("connector.class").asText();
      return put("connector-plugins/" + connectorClass + "/config/validate", config.toString())
          .expectSuccess("validate " + jsonFile)
          .json();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read connector config " + jsonFile, e);
    }
  }

  /** Every validation error message of a validate answer, as "option: message". */
  public static java.util.List<String> validationErrors(JsonNode validation) {
    java.util.List<String> errors = new java.util.ArrayList<>();
    for (JsonNode config : validation.get("configs")) {
      JsonNode value = config.get("value");
      for (JsonNode error : value.get("errors")) {
        errors.add(value.get("name").asText() + ": " + error.asText());
      }
    }
    return errors;
  }

  /** As {@link #createConnector(Path, Map)}, from the JSON text itself. */
  public String createConnector(String json, Map<String, String> configOverrides) {
    ObjectNode body = withOverrides(json, configOverrides);
    post("connectors", body.toString()).expectSuccess("POST /connectors " + body.get("name"));
    return body.get("name").asText();
  }

  /**
   * Applies overrides to a {@code POST /connectors} body; an override whose value is null removes
   * the key.
   */
  public static ObjectNode withOverrides(String json, Map<String, String> configOverrides) {
    try {
      ObjectNode body = (ObjectNode) JSON.readTree(json);
      if (!body.hasNonNull("name") || !(body.get("config") instanceof ObjectNode)) {
        throw new IllegalArgumentException(
            "A POST /connectors body needs \"name\" and a \"config\" object: " + json);
      }
      ObjectNode config = (ObjectNode) body.get("config");
      configOverrides.forEach(
          (key, value) -> {
            if (value == null) {
              config.remove(key);
            } else {
              config.put(key, value);
            }
          });
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException("Connector config is not valid JSON", e);
    }
  }

  /** Waits until the connector and exactly {@code tasks} tasks are RUNNING. */
  public void awaitRunning(String connector, int tasks) {
    try {
      connect
          .assertions()
          .assertConnectorAndExactlyNumTasksAreRunning(
              connector,
              tasks,
              "Connector " + connector + " did not reach RUNNING with " + tasks + " tasks");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the connector is RUNNING and at least one task has FAILED; returns the status. */
  public JsonNode awaitTaskFailed(String connector) {
    try {
      connect
          .assertions()
          .assertConnectorIsRunningAndTasksHaveFailed(
              connector, 1, "Task of " + connector + " did not fail");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return status(connector);
  }

  /** The status document of {@code GET /connectors/{name}/status}. */
  public JsonNode status(String connector) {
    return get("connectors/" + connector + "/status").expectSuccess("connector status").json();
  }

  // ---- Workers and brokers -------------------------------------------------------------------

  /** Stops one worker abruptly enough that its tasks must move, and waits for the rest. */
  public void removeWorker() {
    connect.removeWorker();
  }

  /**
   * Stops the worker that runs the given task (per the status API), so the task must move to a
   * surviving worker. Returns the removed worker's id.
   */
  public String removeWorkerRunningTask(String connector, int task) {
    String workerId = null;
    for (JsonNode t : status(connector).get("tasks")) {
      if (t.get("id").asInt() == task) {
        workerId = t.get("worker_id").asText();
      }
    }
    if (workerId == null) {
      throw new AssertionError(
          "Task " + task + " of " + connector + " is not assigned to a worker");
    }
    int port = Integer.parseInt(workerId.substring(workerId.lastIndexOf(':') + 1));
    for (org.apache.kafka.connect.util.clusters.WorkerHandle worker : connect.workers()) {
      if (worker.url().getPort() == port) {
        connect.removeWorker(worker);
        return workerId;
      }
    }
    throw new AssertionError("No worker listens on " + workerId);
  }

  public void addWorker() {
    connect.addWorker();
  }

  public int workers() {
    return connect.workers().size();
  }

  /**
   * Stops every broker cleanly (controlled shutdown), keeping their logs and ports, for
   * broker-outage tests; a broker process gets SIGTERM, as {@code kafka-server-stop.sh} sends.
   */
  public void stopBrokers() throws InterruptedException {
    if (brokerProcess != null) {
      brokerProcess.stop();
    } else {
      connect.kafka().stopOnlyBrokers();
    }
  }

  /**
   * Kills the broker process at once (SIGKILL): no controlled shutdown, no snapshots, no
   * clean-shutdown marker. Embedded brokers cannot be killed, only stopped: build the cluster with
   * {@link Builder#brokerProcess(Path)}.
   */
  public void killBrokers() throws InterruptedException {
    if (brokerProcess == null) {
      throw new UnsupportedOperationException(
          "Embedded brokers only stop cleanly; a broker process can be killed");
    }
    brokerProcess.kill();
  }

  /**
   * Starts the brokers stopped by {@link #stopBrokers()} or killed by {@link #killBrokers()} again,
   * on the same ports and logs.
   */
  public void restartBrokers() throws IOException {
    if (brokerProcess != null) {
      brokerProcess.startAgain();
    } else {
      connect.kafka().restartOnlyBrokers();
    }
  }

  /**
   * One step of a rolling restart: stops the broker with the given node id (the others keep
   * serving), starts it again on its ports and logs, and returns once every replica of every
   * partition is back in sync, as an operator waits before restarting the next broker.
   */
  public void restartBroker(int nodeId) {
    if (brokerProcess != null) {
      throw new UnsupportedOperationException("A rolling restart needs the embedded brokers");
    }
    BrokerServer broker =
        connect.kafka().runningBrokers().stream()
            .filter(b -> b.sharedServer().nodeId() == nodeId)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("No running broker " + nodeId));
    broker.shutdown();
    broker.awaitShutdown();
    broker.startup();
    try (Admin admin = admin()) {
      Awaitility.await("every replica in sync after broker " + nodeId + " restarted")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> underReplicatedPartitions(admin) == 0);
    }
  }

  /**
   * The record batches of a partition that overlap {@code [from, to]}, as each running broker's log
   * segments hold them: offsets, producer id and epoch, transactional or not, for a control batch
   * its marker, and the batch's largest timestamp (when it was written, for broker-stamped topics
   * and for producers stamping the send time). What no consumer sees, to tell which producer epoch
   * wrote a duplicate and which marker made it visible.
   */
  public List<String> logBatches(TopicPartition partition, long from, long to) {
    Map<Integer, List<File>> logDirs = new java.util.TreeMap<>();
    if (brokerProcess != null) {
      logDirs.put(brokerProcess.nodeId(), List.of(brokerProcess.logDir().toFile()));
    } else {
      for (BrokerServer broker : connect.kafka().runningBrokers()) {
        logDirs.put(
            broker.sharedServer().nodeId(),
            CollectionConverters.asJava(broker.logManager().liveLogDirs()));
      }
    }
    List<String> lines = new ArrayList<>();
    for (Map.Entry<Integer, List<File>> broker : logDirs.entrySet()) {
      int nodeId = broker.getKey();
      List<File> segments = new ArrayList<>();
      for (File logDir : broker.getValue()) {
        File[] found =
            new File(logDir, partition.toString()).listFiles((d, n) -> n.endsWith(".log"));
        if (found != null) {
          segments.addAll(Arrays.asList(found));
        }
      }
      segments.sort(null);
      for (File segment : segments) {
        // Read-only, and closed with closeHandlers: close() would trim the broker's live segment.
        try {
          FileRecords records = FileRecords.open(segment, false);
          try {
            for (RecordBatch batch : records.batches()) {
              if (batch.lastOffset() < from || batch.baseOffset() > to) {
                continue;
              }
              String marker = "";
              if (batch.isControlBatch()) {
                Iterator<Record> control = batch.iterator();
                marker =
                    control.hasNext() ? " " + ControlRecordType.parse(control.next().key()) : "";
              }
              lines.add(
                  String.format(
                      "broker %d %s offsets %d-%d: producer %d epoch %d%s%s, written %s",
                      nodeId,
                      partition,
                      batch.baseOffset(),
                      batch.lastOffset(),
                      batch.producerId(),
                      batch.producerEpoch(),
                      batch.isTransactional() ? ", transactional" : "",
                      batch.isControlBatch() ? ", control" + marker : "",
                      java.time.Instant.ofEpochMilli(batch.maxTimestamp())));
            }
          } finally {
            records.closeHandlers();
          }
        } catch (IOException e) {
          lines.add("broker " + nodeId + ": cannot read " + segment + ": " + e);
        }
      }
    }
    return lines;
  }

  /** The running brokers' node ids, in order. */
  public List<Integer> brokerIds() {
    if (brokerProcess != null) {
      return List.of(brokerProcess.nodeId());
    }
    return connect.kafka().runningBrokers().stream()
        .map(b -> b.sharedServer().nodeId())
        .sorted()
        .toList();
  }

  private static long underReplicatedPartitions(Admin admin)
      throws ExecutionException, InterruptedException, TimeoutException {
    var topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names();
    return admin
        .describeTopics(topics.get(30, TimeUnit.SECONDS))
        .allTopicNames()
        .get(30, TimeUnit.SECONDS)
        .values()
        .stream()
        .flatMap(t -> t.partitions().stream())
        .filter(p -> p.leader() == null || p.isr().size() < p.replicas().size())
        .count();
  }

  @Override
  public void close() {
    try {
      if (fixedPortWorker != null) {
        fixedPortWorker.stop();
      }
      connect.stop();
    } finally {
      if (brokerProcess != null) {
        brokerProcess.close();
      }
    }
  }

  /** Configures and starts a cluster. */
  public static final class Builder {
    private int workers = 1;
    private int brokers = 1;
    private boolean exactlyOnce;
    private Path pluginPath;
    private final Map<String, String> workerProps = new HashMap<>();
    private final Properties brokerProps = new Properties();
    private String name = "eventkit-connect";
    private int restPort;
    private Short transactionVersion;
    private Path brokerProcessDir;
    private boolean separateController;

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    public Builder brokers(int brokers) {
      this.brokers = brokers;
      return this;
    }

    /** Sets the worker's {@code exactly.once.source.support=enabled}. */
    public Builder exactlyOnceSource(boolean enabled) {
      this.exactlyOnce = enabled;
      return this;
    }

    /**
     * Loads plugins from an unpacked plugin directory rather than the test classpath, so plugin
     * isolation is exercised as in production.
     */
    public Builder pluginPath(Path pluginPath) {
      this.pluginPath = pluginPath;
      return this;
    }

    /**
     * Adds a worker whose REST API listens on this fixed port (the embedded cluster's own workers
     * take free ports), e.g. 8083 for a local demo.
     */
    public Builder restPort(int port) {
      this.restPort = port;
      return this;
    }

    /** Lets connector configs read secrets with {@code ${env:NAME}}, as production workers do. */
    public Builder envConfigProvider() {
      workerProps.put("config.providers", "env");
      workerProps.put(
          "config.providers.env.class",
          "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
      return this;
    }

    public Builder workerProp(String key, String value) {
      workerProps.put(key, value);
      return this;
    }

    /**
     * Finalizes the cluster's {@code transaction.version} feature at this level before any worker
     * starts (the embedded brokers are formatted at the latest level, which is 2, KIP-890), as
     * {@code kafka-features.sh downgrade --feature transaction.version=1} would on a real cluster.
     */
    public Builder transactionVersion(int level) {
      this.transactionVersion = (short) level;
      return this;
    }

    public Builder brokerProp(String key, String value) {
      brokerProps.setProperty(key, value);
      return this;
    }

    /**
     * The workers use one broker in a process of its own ({@link KafkaBrokerProcess}, its files
     * under {@code workDir}) rather than the embedded brokers, which then idle: a broker that can
     * be killed. Needs {@code brokers(1)}.
     */
    public Builder brokerProcess(Path workDir) {
      this.brokerProcessDir = workDir;
      return this;
    }

    /**
     * As {@link #brokerProcess(Path)}, its KRaft controller in a process of its own that broker
     * restarts leave running, as on clusters whose controllers are separate nodes.
     */
    public Builder brokerProcess(Path workDir, boolean separateController) {
      this.brokerProcessDir = workDir;
      this.separateController = separateController;
      return this;
    }

    public ConnectCluster start() {
      // EmbeddedConnectCluster adds its own keys to this map, so it must be mutable.
      Map<String, String> props = new HashMap<>(workerProps);
      props.putIfAbsent("offset.flush.interval.ms", "1000");
      props.putIfAbsent("scheduled.rebalance.max.delay.ms", "5000");
      if (exactlyOnce) {
        props.put("exactly.once.source.support", "enabled");
      }
      if (pluginPath != null) {
        props.put("plugin.path", pluginPath.toAbsolutePath().toString());
      }
      Properties broker = new Properties();
      broker.putAll(brokerProps);
      broker.putIfAbsent("transaction.state.log.replication.factor", String.valueOf(brokers));
      // As in production: with three or more brokers, an acknowledged write is on two of them, and
      // any one broker can be restarted without refusing writes.
      String minInSync = brokers >= 3 ? "2" : "1";
      broker.putIfAbsent("transaction.state.log.min.isr", minInSync);
      broker.putIfAbsent("min.insync.replicas", minInSync);
      broker.putIfAbsent("default.replication.factor", String.valueOf(Math.min(brokers, 3)));
      KafkaBrokerProcess process = startBrokerProcess(broker);
      // Workers join once the cluster's Kafka is as asked: the transaction protocol finalized, or
      // the workers pointed at the broker process (the embedded cluster fills in its own brokers).
      boolean workersLater = transactionVersion != null || process != null;
      EmbeddedConnectCluster cluster;
      try {
        cluster =
            new EmbeddedConnectCluster.Builder()
                .name(name)
                .numWorkers(workersLater ? 0 : workers)
                .numBrokers(brokers)
                .workerProps(props)
                .brokerProps(broker)
                .build();
        cluster.start();
      } catch (RuntimeException e) {
        if (process != null) {
          process.close();
        }
        throw e;
      }
      if (workersLater) {
        try {
          if (process != null) {
            props.put("bootstrap.servers", process.bootstrapServers());
          }
          if (transactionVersion != null) {
            finalizeTransactionVersion(props.get("bootstrap.servers"), transactionVersion);
          }
          for (int i = 0; i < workers; i++) {
            cluster.addWorker();
          }
        } catch (RuntimeException | Error e) {
          cluster.stop();
          if (process != null) {
            process.close();
          }
          throw e;
        }
      }
      org.apache.kafka.connect.util.clusters.WorkerHandle fixedPortWorker = null;
      if (restPort > 0) {
        // The cluster filled in its own settings (group, topics, brokers): join the same group.
        Map<String, String> fixed = new HashMap<>(props);
        fixed.put("listeners", "http://localhost:" + restPort);
        fixed.remove("rest.advertised.port");
        try {
          fixedPortWorker =
              org.apache.kafka.connect.util.clusters.WorkerHandle.start(
                  name + "-" + restPort, fixed);
        } catch (RuntimeException | Error e) {
          new ConnectCluster(cluster, null, props, process).close();
          throw e;
        }
      }
      ConnectCluster started = new ConnectCluster(cluster, fixedPortWorker, props, process);
      try {
        cluster.assertions().assertAtLeastNumWorkersAreUp(workers, "Connect workers did not start");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        started.close();
        throw new IllegalStateException(e);
      } catch (RuntimeException | Error e) {
        started.close();
        throw e;
      }
      return started;
    }

    private KafkaBrokerProcess startBrokerProcess(Properties broker) {
      if (brokerProcessDir == null) {
        return null;
      }
      if (brokers != 1) {
        throw new IllegalArgumentException("A broker process is one broker, not " + brokers);
      }
      Map<String, String> config = new HashMap<>();
      broker.forEach((key, value) -> config.put(key.toString(), value.toString()));
      try {
        return KafkaBrokerProcess.start(brokerProcessDir, config, separateController);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not start a broker process", e);
      }
    }

    private static void finalizeTransactionVersion(String bootstrapServers, short level) {
      try (Admin admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
        short finalized = finalizedTransactionVersion(admin);
        if (finalized != level) {
          admin
              .updateFeatures(
                  Map.of(
                      TRANSACTION_VERSION,
                      new FeatureUpdate(
                          level,
                          level < finalized
                              ? FeatureUpdate.UpgradeType.SAFE_DOWNGRADE
                              : FeatureUpdate.UpgradeType.UPGRADE)),
                  new UpdateFeaturesOptions())
              .all()
              .get(30, TimeUnit.SECONDS);
        }
        Awaitility.await(TRANSACTION_VERSION + " finalized at " + level)
            .atMost(Duration.ofSeconds(30))
            .until(() -> finalizedTransactionVersion(admin) == level);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("Could not set " + TRANSACTION_VERSION + "=" + level, e);
      }
    }

    private static short finalizedTransactionVersion(Admin admin)
        throws InterruptedException, ExecutionException, TimeoutException {
      FinalizedVersionRange range =
          admin
              .describeFeatures()
              .featureMetadata()
              .get(30, TimeUnit.SECONDS)
              .finalizedFeatures()
              .get(TRANSACTION_VERSION);
      return range == null ? 0 : range.maxVersionLevel();
    }
  }
}
