package dev.eventkit.connect.outbox.capture;

import java.util.Map;

/**
 * Progress through the database log with no outbox row in it (log mode's heartbeats). The task
 * publishes it as a record on {@code log.heartbeat.topic}, so that Connect stores its offset: a
 * quiet outbox on a busy database then still confirms its log position, and the database can
 * recycle its log. Under exactly-once it is a Kafka transaction of its own.
 *
 * @param offset the position the record carries
 * @param receipt handed back to {@link OutboxCapture#recordSent} when Connect is done with the
 *     record; null when the capture wants nothing back
 */
public record CapturedProgress(Map<String, Object> offset, Object receipt) implements Captured {}
