package dev.eventkit.connect.outbox.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicTemplateTest {

  @Test
  void rendersBothPlaceholders() {
    assertThat(
            TopicTemplate.compile("${aggregate_type}.${event_type}.v1").render("order", "Placed"))
        .isEqualTo("order.Placed.v1");
    assertThat(TopicTemplate.compile("events").render("order", "Placed")).isEqualTo("events");
  }

  @Test
  void rejectsUnknownAndUnclosedPlaceholders() {
    assertThatThrownBy(() -> TopicTemplate.compile("${aggregate}.events"))
        .hasMessageContaining("${aggregate}");
    assertThatThrownBy(() -> TopicTemplate.compile("${aggregate_type"))
        .hasMessageContaining("Unclosed");
  }

  @Test
  void knowsWhichTopicNamesKafkaRejects() {
    assertThat(TopicNames.whyInvalid("order.events")).isNull();
    assertThat(TopicNames.whyInvalid("")).contains("empty");
    assertThat(TopicNames.whyInvalid("..")).contains("'..'");
    assertThat(TopicNames.whyInvalid("a b")).contains("characters");
    assertThat(TopicNames.whyInvalid("x".repeat(250))).contains("249");
  }
}
