package dev.eventkit.connect.outbox;

import java.util.Map;

/** Where each part of an event lives in the outbox table, as configured by {@code column.*}. */
public record OutboxColumns(
    String eventId,
    String aggregateType,
    String aggregateId,
    String eventType,
    String payload,
    String timestamp,
    String txid,
    String position,
    Map<String, String> headerColumns) {}
