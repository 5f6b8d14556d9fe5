package dev.eventkit.benchmarks.dlq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventkit.testkit.connect.ConnectCluster;
import dev.eventkit.testkit.db.TestDatabase;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/**
 * Archiving a topic of dead letters (Kafka Connect's DLQ format: 1 KB values, the error headers and
 * a stack trace), by the DLQ sink connector and by the hand-rolled archiver it replaces: a consumer
 * inserting each poll's records with one JDBC batch, or appending them as JSON lines to one
 * buffered file synced once at the end. Each is timed from its start (connector created, consumer
 * created) until every dead letter is in the table or in sealed files, so both pay their consumer
 * group join alike.
 */
public final class DlqArchiveScenario {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LIMIT = Duration.ofMinutes(20);
  private static final String STACK_TRACE = stackTrace();

  private DlqArchiveScenario() {}

  /** Writes {@code count} dead letters of {@code valueBytes} to a new topic and returns it. */
  public static String produce(ConnectCluster cluster, String topic, int count, int valueBytes) {
    cluster.kafka().createTopic(topic, 3, 1, Map.of());
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    // Plain test data: an idempotent producer here met OUT_OF_ORDER_SEQUENCE_NUMBER from the
    // embedded broker on a just-created topic and retried for ever.
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    String filler = "x".repeat(valueBytes);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(
                topic,
                utf8("agg-" + (i % 1000)),
                utf8("{\"n\": " + i + ", \"data\": \"" + filler + "\"}"));
        header(record, "event.id", UUID.randomUUID().toString());
        header(record, "__connect.errors.topic", "orders.events");
        header(record, "__connect.errors.partition", Integer.toString(i % 3));
        header(record, "__connect.errors.offset", Integer.toString(i));
        header(record, "__connect.errors.connector.name", "orders-sink");
        header(record, "__connect.errors.task.id", "0");
        header(record, "__connect.errors.stage", "VALUE_CONVERTER");
        header(
            record,
            "__connect.errors.exception.class.name",
            "org.apache.kafka.connect.errors.DataException");
        header(record, "__connect.errors.exception.message", "Unexpected character at " + i);
        header(record, "__connect.errors.exception.stacktrace", STACK_TRACE);
        producer.send(record);
      }
      producer.flush();
    }
    return topic;
  }

  /** The DLQ sink into the archive table of {@code db}: dead letters per second. */
  public static double eventkitJdbc(
      ConnectCluster cluster, TestDatabase db, String topic, int count) {
    Map<String, String> config = connector(topic);
    config.put("archive.type", "jdbc");
    config.put("connection.url", db.jdbcUrl());
    config.put("connection.user", db.user());
    config.put("connection.password", db.password());
    config.put("archive.table", "dead_letter_archive");
    long started = System.nanoTime();
    String name = create(cluster, config);
    try {
      awaitTable(db, count);
      return count / seconds(started);
    } finally {
      cluster.delete("connectors/" + name).expectSuccess("delete " + name);
    }
  }

  /**
   * A consumer inserting every poll's records into the same table with one JDBC batch and one
   * commit, columns taken from the headers as they come: dead letters per second.
   */
  public static double rawJdbc(ConnectCluster cluster, TestDatabase db, String topic, int count) {
    createArchiveTable(db);
    long started = System.nanoTime();
    int archived = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster, topic);
        Connection c = db.connect();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO raw_archive (dlq_topic, dlq_partition, dlq_offset, dlq_timestamp,"
                    + " archived_at, origin_topic, origin_partition, origin_offset, error_dialect,"
                    + " connector_name, task_id, stage, exception_class, exception_message,"
                    + " exception_stacktrace, event_id, record_key, record_value, record_headers)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'connect', ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    + " CAST(? AS jsonb))")) {
      c.setAutoCommit(false);
      long deadline = System.nanoTime() + LIMIT.toNanos();
      while (archived < count && System.nanoTime() < deadline) {
        int batch = 0;
        Timestamp now = Timestamp.from(Instant.now());
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          Map<String, String> h = headers(r);
          int i = 0;
          insert.setString(++i, r.topic());
          insert.setInt(++i, r.partition());
          insert.setLong(++i, r.offset());
          insert.setTimestamp(++i, new Timestamp(r.timestamp()));
          insert.setTimestamp(++i, now);
          insert.setString(++i, h.get("__connect.errors.topic"));
          insert.setInt(++i, Integer.parseInt(h.get("__connect.errors.partition")));
          insert.setLong(++i, Long.parseLong(h.get("__connect.errors.offset")));
          insert.setString(++i, h.get("__connect.errors.connector.name"));
          insert.setInt(++i, Integer.parseInt(h.get("__connect.errors.task.id")));
          insert.setString(++i, h.get("__connect.errors.stage"));
          insert.setString(++i, h.get("__connect.errors.exception.class.name"));
          insert.setString(++i, h.get("__connect.errors.exception.message"));
          insert.setString(++i, h.get("__connect.errors.exception.stacktrace"));
          insert.setString(++i, h.get("event.id"));
          insert.setBytes(++i, r.key());
          insert.setBytes(++i, r.value());
          insert.setString(++i, JSON.writeValueAsString(h));
          insert.addBatch();
          batch++;
        }
        if (batch > 0) {
          insert.executeBatch();
          c.commit();
          consumer.commitSync();
          archived += batch;
        }
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("The raw JDBC archiver failed", e);
    }
    if (archived < count) {
      throw new IllegalStateException(
          "The raw JDBC archiver archived " + archived + " of " + count);
    }
    return count / seconds(started);
  }

  /** The DLQ sink into JSON-lines files under {@code directory}: dead letters per second. */
  public static double eventkitFiles(
      ConnectCluster cluster, Path directory, String topic, int count) {
    Map<String, String> config = connector(topic);
    config.put("archive.type", "file");
    config.put("file.directory", directory.toString());
    config.put("file.rotate.records", "10000");
    config.put("file.rotate.interval.ms", "1000");
    config.put("file.gzip", "false");
    long started = System.nanoTime();
    String name = create(cluster, config);
    try {
      Awaitility.await("all dead letters in sealed files")
          .atMost(LIMIT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> sealedLines(directory) >= count);
      return count / seconds(started);
    } finally {
      cluster.delete("connectors/" + name).expectSuccess("delete " + name);
    }
  }

  /**
   * A consumer appending every record as one JSON line (base64 key and value, headers as text) to
   * one buffered file, forced to disk once at the end: dead letters per second.
   */
  public static double rawFile(ConnectCluster cluster, Path file, String topic, int count) {
    long started = System.nanoTime();
    int written = 0;
    Base64.Encoder base64 = Base64.getEncoder();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(cluster, topic);
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      long deadline = System.nanoTime() + LIMIT.toNanos();
      while (written < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          ObjectNode line = JSON.createObjectNode();
          line.put("topic", r.topic());
          line.put("partition", r.partition());
          line.put("offset", r.offset());
          line.put("timestamp", r.timestamp());
          line.put("key", base64.encodeToString(r.key()));
          line.put("value", base64.encodeToString(r.value()));
          line.set("headers", JSON.valueToTree(headers(r)));
          out.write(JSON.writeValueAsString(line));
          out.write('\n');
          written++;
        }
      }
      out.flush();
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (written < count) {
      throw new IllegalStateException("The raw file archiver wrote " + written + " of " + count);
    }
    return count / seconds(started);
  }

  private static Map<String, String> connector(String topic) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("connector.class", "dev.eventkit.connect.dlq.DlqSinkConnector");
    config.put("tasks.max", "1");
    config.put("topics", topic);
    config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    config.put("header.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
    return config;
  }

  private static String create(ConnectCluster cluster, Map<String, String> config) {
    String name = "dlq-archive-" + UUID.randomUUID().toString().substring(0, 8);
    ObjectNode body = JSON.createObjectNode();
    body.put("name", name);
    ObjectNode node = body.putObject("config");
    config.forEach(node::put);
    cluster.post("connectors", body.toString()).expectSuccess("create " + name);
    return name;
  }

  private static void awaitTable(TestDatabase db, int count) {
    Awaitility.await("all dead letters in the archive table")
        .atMost(LIMIT)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions() // the table is created by the task
        .until(() -> db.queryForLong("SELECT count(*) FROM dead_letter_archive") >= count);
  }

  /** The raw archiver's table: the archive's columns, as a user would copy them. */
  private static void createArchiveTable(TestDatabase db) {
    db.execute(
        "CREATE TABLE raw_archive (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
            + " dlq_topic text NOT NULL, dlq_partition integer NOT NULL, dlq_offset bigint NOT NULL,"
            + " dlq_timestamp timestamptz, archived_at timestamptz NOT NULL, origin_topic text,"
            + " origin_partition integer, origin_offset bigint, error_dialect text NOT NULL,"
            + " connector_name text, task_id integer, stage text, exception_class text,"
            + " exception_message text, exception_stacktrace text, event_id text,"
            + " record_key bytea, record_value bytea, record_headers jsonb NOT NULL,"
            + " UNIQUE (dlq_topic, dlq_partition, dlq_offset))");
  }

  private static long sealedLines(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return 0;
    }
    long lines = 0;
    try (Stream<Path> files = Files.list(directory)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
        try (Stream<String> l = Files.lines(f)) {
          lines += l.count();
        }
      }
    }
    return lines;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(ConnectCluster cluster, String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "raw-archive-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (Header h : r.headers()) {
      headers.put(
          h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    return headers;
  }

  private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
    record.headers().add(name, utf8(value));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /** A stack trace of the depth a converter failure inside a sink task has. */
  private static String stackTrace() {
    StringBuilder trace =
        new StringBuilder(
            "org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect"
                + " data failed due to serialization error:\n");
    for (int i = 0; i < 24; i++) {
      trace
          .append("\tat org.apache.kafka.connect.runtime.WorkerSinkTask.frame")
          .append(i)
          .append("(WorkerSinkTask.java:")
          .append(100 + i)
          .append(")\n");
    }
    return trace.toString();
  }
}
