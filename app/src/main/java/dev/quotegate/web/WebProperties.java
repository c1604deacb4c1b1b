package dev.quotegate.web;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The HTTP edge: limits on what clients send.
 *
 * @param maxBodySize largest JSON request body read (valuation, performance, ingest); larger
 *     bodies are answered 413 without being read to the end
 * @param gzipMinSize smallest answer compressed with gzip for a client that accepts it
 *     (JSON, problem+json, text/plain; {@code GzipResponses}); smaller ones cost more to compress
 *     than they save
 * @param gzipMaxSize largest answer compressed (it is compressed in memory, in one piece, on the
 *     event loop); larger ones go out uncompressed
 */
@Validated
@ConfigurationProperties("quotegate.web")
public record WebProperties(
    @DefaultValue("256KB") @NotNull DataSize maxBodySize,
    @DefaultValue("2KB") @NotNull DataSize gzipMinSize,
    @DefaultValue("8MB") @NotNull DataSize gzipMaxSize) {}
