package dev.eventkit.connect.outbox.capture;

/**
 * What a capture's poll hands the task, in publishing order: the rows of a database transaction, or
 * progress through the database log that carries no row.
 */
public sealed interface Captured permits CapturedTransaction, CapturedProgress {}
