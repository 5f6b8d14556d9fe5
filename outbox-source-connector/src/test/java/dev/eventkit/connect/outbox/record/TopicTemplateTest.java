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
  void saysWhichPlaceholdersItUses() {
    TopicTemplate both = TopicTemplate.compile("${aggregate_type}.${event_type}");
    TopicTemplate fixed = TopicTemplate.compile("events");

    assertThat(both.usesAggregateType()).isTrue();
    assertThat(both.usesEventType()).isTrue();
    assertThat(TopicTemplate.compile("${aggregate_type}.events").usesEventType()).isFalse();
    assertThat(fixed.usesAggregateType()).isFalse();
    assertThat(fixed.usesEventType()).isFalse();
  }

  @Test
  void aMissingValueNeverRendersALegalTopic() {
    TopicTemplate template = TopicTemplate.compile("${aggregate_type}.events");
    TopicTemplate byType = TopicTemplate.compile("events.${event_type}");

    assertThat(template.render(null, "Placed")).isEqualTo("${aggregate_type}.events");
    assertThat(template.render("", "Placed")).isEqualTo("${aggregate_type}.events");
    assertThat(byType.render("order", null)).isEqualTo("events.${event_type}");
    assertThat(byType.render("order", "")).isEqualTo("events.${event_type}");
    assertThat(TopicNames.whyInvalid(template.render(null, null))).isNotNull();
    assertThat(TopicNames.whyInvalid(byType.render(null, ""))).isNotNull();
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
