package dev.eventkit.connect.outbox.capture.poll;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BucketPartitionsTest {

  @Test
  void validatesPartitionsFromTheOffsetsApi() {
    BucketPartitions.validate(BucketPartitions.partition("outbox", 2, 1));
    assertThatThrownBy(
            () -> BucketPartitions.validate(Map.of("table", "outbox", "buckets", 2, "bucket", 2)))
        .hasMessageContaining("'bucket' < 'buckets'");
    assertThatThrownBy(() -> BucketPartitions.validate(Map.of("buckets", 1, "bucket", 0)))
        .hasMessageContaining("'table'");
  }
}
