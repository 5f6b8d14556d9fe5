package dev.eventkit.connect.dlq.header;

/** One record header exactly as it was on the wire; {@code value} may be null. */
public record RawHeader(String key, byte[] value) {}
