package dev.eventkit.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.eventkit.connect.enrich.EventMetadata;
import dev.eventkit.connect.enrich.EventVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.InsertHeader;
import org.apache.kafka.connect.transforms.Transformation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ns/record of the enrichment transforms against the baselines a user would otherwise pay: an
 * identity transform, a chain of five Kafka {@code InsertHeader} transforms, and a Jackson tree
 * parse of the same JSON payload.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class EnrichmentBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PAYLOAD =
      "{\"type\": \"OrderPlaced\", \"orderId\": \"o-42\", \"meta\": {\"cause\": \"cmd-7\", \"source\": \"/orders\"},"
          + " \"total\": 12.5, \"lines\": [{\"sku\": \"a\", \"qty\": 2}, {\"sku\": \"b\", \"qty\": 1}]}";

  @Param({"map", "struct", "json"})
  public String shape;

  private SourceRecord record;
  private final Transformation<SourceRecord> identity = new Identity();
  private List<Transformation<SourceRecord>> insertHeaders;
  private Transformation<SourceRecord> metadataLiterals;
  private Transformation<SourceRecord> metadataFields;
  private Transformation<SourceRecord> version;
  private Transformation<SourceRecord> versionValidating;

  @Setup
  public void setUp() throws IOException {
    Object value;
    Schema schema = null;
    switch (shape) {
      case "map" -> value = JSON.readValue(PAYLOAD, Map.class);
      case "struct" -> {
        Schema meta =
            SchemaBuilder.struct()
                .field("cause", Schema.STRING_SCHEMA)
                .field("source", Schema.STRING_SCHEMA)
                .build();
        schema =
            SchemaBuilder.struct()
                .field("type", Schema.STRING_SCHEMA)
                .field("orderId", Schema.STRING_SCHEMA)
                .field("meta", meta)
                .field("total", Schema.FLOAT64_SCHEMA)
                .build();
        value =
            new Struct(schema)
                .put("type", "OrderPlaced")
                .put("orderId", "o-42")
                .put("meta", new Struct(meta).put("cause", "cmd-7").put("source", "/orders"))
                .put("total", 12.5);
      }
      default -> value = PAYLOAD;
    }
    record =
        new SourceRecord(
            Map.of(),
            Map.of(),
            "orders.events",
            0,
            Schema.STRING_SCHEMA,
            "o-42",
            schema,
            value,
            1_764_150_000_000L,
            new ConnectHeaders());

    insertHeaders = new ArrayList<>();
    for (String header :
        List.of("event.id", "event.type", "event.source", "correlation.id", "content-type")) {
      InsertHeader<SourceRecord> insert = new InsertHeader<>();
      insert.configure(Map.of("header", header, "value.literal", "v-" + header));
      insertHeaders.add(insert);
    }
    metadataLiterals =
        configure(
            new EventMetadata.Value<>(),
            Map.of(
                "id.source",
                "uuid7",
                "type.source",
                "literal:OrderPlaced",
                "source.source",
                "literal:/orders",
                "correlation.id.source",
                "id",
                "content.type.source",
                "literal:application/json",
                "time.source",
                ""));
    metadataFields =
        configure(
            new EventMetadata.Value<>(),
            Map.of(
                "id.source",
                "uuid5:orderId",
                "type.source",
                "field:type",
                "source.source",
                "field:meta.source",
                "causation.id.source",
                "field:meta.cause",
                "content.type.source",
                "literal:application/json",
                "time.source",
                "",
                "correlation.id.source",
                ""));
    version =
        configure(
            new EventVersion.Value<>(),
            Map.of("version.source", "literal:3", "type.source", "literal:OrderPlaced"));
    Path schemas = Files.createTempDirectory("schemas");
    Files.createDirectories(schemas.resolve("OrderPlaced"));
    Files.writeString(
        schemas.resolve("OrderPlaced/3.json"),
        "{\"type\": \"object\", \"required\": [\"orderId\"], \"properties\": {\"orderId\": {\"type\": \"string\"},"
            + " \"total\": {\"type\": \"number\", \"minimum\": 0}}}");
    versionValidating =
        configure(
            new EventVersion.Value<>(),
            Map.of(
                "version.source",
                "literal:3",
                "type.source",
                "literal:OrderPlaced",
                "schemas.dir",
                schemas.toString()));
  }

  private static Transformation<SourceRecord> configure(
      Transformation<SourceRecord> smt, Map<String, String> props) {
    smt.configure(props);
    return smt;
  }

  @Benchmark
  public SourceRecord identity() {
    return identity.apply(record);
  }

  @Benchmark
  public SourceRecord fiveInsertHeaders() {
    SourceRecord r = record;
    for (Transformation<SourceRecord> t : insertHeaders) {
      r = t.apply(r);
    }
    return r;
  }

  @Benchmark
  public SourceRecord eventMetadataLiteralSources() {
    return metadataLiterals.apply(record);
  }

  @Benchmark
  public SourceRecord eventMetadataFieldSources() {
    return metadataFields.apply(record);
  }

  /** What any reader of a field in a JSON string pays: one tree parse. */
  @Benchmark
  public JsonNode jacksonTreeParse() throws IOException {
    return JSON.readTree(PAYLOAD);
  }

  @Benchmark
  public SourceRecord eventVersion() {
    return version.apply(record);
  }

  @Benchmark
  public SourceRecord eventVersionValidating() {
    return versionValidating.apply(record);
  }

  /** The floor: a transform that returns its record. */
  static final class Identity implements Transformation<SourceRecord> {
    @Override
    public SourceRecord apply(SourceRecord record) {
      return record;
    }

    @Override
    public org.apache.kafka.common.config.ConfigDef config() {
      return new org.apache.kafka.common.config.ConfigDef();
    }

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public void close() {}
  }
}
