package dev.eventkit.testkit.connect.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventkit.testkit.connect.ConnectCluster.RestResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * One Kafka Connect distributed worker of a given version, started the way operators start one:
 * {@code ConnectDistributed} with a worker properties file, in a JVM of its own whose class path is
 * that version's runtime alone. Plugins come only from {@code plugin.path}. Driven over REST.
 */
public final class ConnectWorkerProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration REST_TIMEOUT = Duration.ofSeconds(60);

  private final WorkerDistribution distribution;
  private final Process process;
  private final Path log;
  private final URI rest;

  /** Kills the worker if this JVM exits first (a test killed on a timeout), so none outlives it. */
  private final Thread reaper;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ConnectWorkerProcess(
      WorkerDistribution distribution, Process process, Path log, URI rest) {
    this.distribution = distribution;
    this.process = process;
    this.log = log;
    this.rest = rest;
    this.reaper = new Thread(process::destroyForcibly, "connect-worker-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * Writes the worker's properties and logging config under {@code workDir}, starts it and waits
   * until its REST API answers.
   *
   * @param workerProps extra worker properties (they win over the defaults here)
   */
  public static ConnectWorkerProcess start(
      WorkerDistribution distribution,
      String bootstrapServers,
      Path pluginPath,
      Path workDir,
      Map<String, String> workerProps)
      throws IOException {
    return start(distribution, bootstrapServers, pluginPath, workDir, workerProps, "512m");
  }

  /**
   * As {@link #start(WorkerDistribution, String, Path, Path, Map)}, with a heap of at most {@code
   * maxHeap} ({@code -Xmx} syntax). The JVM exits on its first OutOfMemoryError, so a worker that
   * ran out of memory is seen dead rather than limping on, and logs every collection to {@code
   * gc.log} in {@code workDir} ({@link #peakHeapMegabytes()}).
   */
  public static ConnectWorkerProcess start(
      WorkerDistribution distribution,
      String bootstrapServers,
      Path pluginPath,
      Path workDir,
      Map<String, String> workerProps,
      String maxHeap)
      throws IOException {
    Files.createDirectories(workDir);
    int port = ChildJvms.freePorts(1)[0];
    String id = distribution.topicPrefix();
    Properties props = new Properties();
    props.setProperty("bootstrap.servers", bootstrapServers);
    props.setProperty("group.id", "eventkit-compat-" + id);
    props.setProperty("config.storage.topic", id + "-connect-configs");
    props.setProperty("offset.storage.topic", id + "-connect-offsets");
    props.setProperty("status.storage.topic", id + "-connect-status");
    props.setProperty("config.storage.replication.factor", "1");
    props.setProperty("offset.storage.replication.factor", "1");
    props.setProperty("offset.storage.partitions", "1");
    props.setProperty("status.storage.replication.factor", "1");
    props.setProperty("status.storage.partitions", "1");
    props.setProperty("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    props.setProperty("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    props.setProperty("listeners", "http://127.0.0.1:" + port);
    props.setProperty("rest.advertised.host.name", "127.0.0.1");
    props.setProperty("rest.advertised.port", Integer.toString(port));
    props.setProperty("plugin.path", pluginPath.toAbsolutePath().toString());
    // Only what META-INF/services declares is found (KIP-898): proves the plugin's manifests.
    props.setProperty("plugin.discovery", "service_load");
    props.setProperty("offset.flush.interval.ms", "1000");
    props.setProperty("config.providers", "env");
    props.setProperty(
        "config.providers.env.class",
        "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
    props.putAll(workerProps);
    Path workerProperties = workDir.resolve("connect-distributed.properties");
    try (var out = Files.newBufferedWriter(workerProperties)) {
      props.store(out, "Kafka Connect " + distribution.version() + " worker (compatibility suite)");
    }
    // Kafka 3.x logs through reload4j, Kafka 4.x through Log4j 2: each reads its own file.
    Path log4j = workDir.resolve("connect-log4j.properties");
    Files.writeString(
        log4j,
        String.join(
            "\n",
            "log4j.rootLogger=INFO, stdout",
            "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
            "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
            "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
            "log4j.logger.org.apache.kafka.clients=WARN",
            ""));
    Path log4j2 =
        ChildJvms.writeConsoleLog4j2(
            workDir.resolve("connect-log4j2.properties"),
            "[%d] %p %m (%c)%n",
            "logger.clients.name=org.apache.kafka.clients",
            "logger.clients.level=WARN");

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms64m");
    command.add("-Xmx" + maxHeap);
    command.add("-XX:+UseSerialGC");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Xlog:gc:file=" + workDir.resolve("gc.log").toAbsolutePath());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dlog4j.configuration=" + log4j.toUri());
    command.add("-Dlog4j2.configurationFile=" + log4j2.toAbsolutePath());
    command.add("-cp");
    command.add(distribution.classpath());
    command.add("org.apache.kafka.connect.cli.ConnectDistributed");
    command.add(workerProperties.toAbsolutePath().toString());
    Path log = workDir.resolve("worker.log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .directory(workDir.toFile())
            .start();
    ConnectWorkerProcess worker =
        new ConnectWorkerProcess(
            distribution, process, log, URI.create("http://127.0.0.1:" + port + "/"));
    try {
      worker.awaitRestApi();
    } catch (RuntimeException | Error e) {
      worker.close();
      throw e;
    }
    return worker;
  }

  public WorkerDistribution distribution() {
    return distribution;
  }

  /** The port of the worker's REST API (its id in status answers ends with it). */
  public int restPort() {
    return rest.getPort();
  }

  /**
   * Kills the worker's JVM at once (SIGKILL): it does not leave the group, stop its tasks, commit
   * offsets or finish its transactions, as when a host is lost.
   */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("The worker process did not die");
    }
  }

  /** Whether the worker's JVM still runs (it exits on an OutOfMemoryError). */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The most heap the worker had in use when a collection began, in megabytes, from its GC log
   * (lines such as {@code GC(7) Pause Young (Allocation Failure) 180M->41M(247M) 9.1ms}).
   */
  public long peakHeapMegabytes() throws IOException {
    java.util.regex.Pattern used =
        java.util.regex.Pattern.compile(" (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    long peak = 0;
    for (String line : Files.readAllLines(log.resolveSibling("gc.log"), StandardCharsets.UTF_8)) {
      java.util.regex.Matcher m = used.matcher(line);
      if (m.find()) {
        peak = Math.max(peak, Long.parseLong(m.group(1)));
      }
    }
    return peak;
  }

  /** The worker's combined stdout and stderr (its log), to attach to a failure. */
  public Path log() {
    return log;
  }

  private void awaitRestApi() {
    Awaitility.await("REST API of the Kafka Connect " + distribution.version() + " worker")
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptionsInstanceOf(UncheckedIOException.class)
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError(
                    "The worker exited with code " + process.exitValue() + "; its log:\n" + tail());
              }
              return get("").status() == 200 && get("connectors").status() == 200;
            });
  }

  /** The last lines of the worker's log. */
  public String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  // ---- REST ----------------------------------------------------------------------------------

  public RestResponse get(String resource) {
    return send(HttpRequest.newBuilder(rest.resolve(resource)).GET());
  }

  public RestResponse put(String resource, String json) {
    return send(
        HttpRequest.newBuilder(rest.resolve(resource))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  public RestResponse post(String resource, String json) {
    return send(
        HttpRequest.newBuilder(rest.resolve(resource))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private RestResponse send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          http.send(request.timeout(REST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      return new RestResponse(response.statusCode(), response.body());
    } catch (ConnectException e) {
      throw new UncheckedIOException("Worker REST API not reachable at " + rest, e);
    } catch (IOException e) {
      throw new UncheckedIOException("Worker REST call failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The status document of a connector. */
  public JsonNode status(String connector) {
    return get("connectors/" + connector + "/status").expectSuccess("status").json();
  }

  /** Waits until the connector is in {@code state} and, for RUNNING, all its tasks are too. */
  public void awaitState(String connector, String state, int tasks) {
    Awaitility.await(connector + " " + state + " on Connect " + distribution.version())
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              RestResponse response = get("connectors/" + connector + "/status");
              if (response.status() != 200) {
                throw new AssertionError("status " + response.status() + ": " + response.body());
              }
              JsonNode status = response.json();
              for (JsonNode task : status.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                  throw new IllegalStateException(
                      connector + " task failed: " + task.path("trace").asText());
                }
              }
              if (!state.equals(status.path("connector").path("state").asText())
                  || status.path("tasks").size() != tasks
                  || (tasks > 0
                      && !java.util.stream.StreamSupport.stream(
                              status.path("tasks").spliterator(), false)
                          .allMatch(t -> state.equals(t.path("state").asText())))) {
                throw new AssertionError("not yet " + state + ": " + status);
              }
            });
  }

  @Override
  public void close() {
    ChildJvms.removeReaper(reaper);
    ChildJvms.stop(process);
  }
}
