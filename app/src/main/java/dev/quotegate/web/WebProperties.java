package dev.quotegate.web;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
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
 * @param http2MaxConcurrentStreams most concurrent streams one HTTP/2 (h2c) client connection
 *     may open (advertised in SETTINGS_MAX_CONCURRENT_STREAMS; a stream past it is refused):
 *     a browser multiplexes its SSE streams and requests over one connection, so this bounds
 *     what one connection holds, where the open-files limit bounds HTTP/1.1
 */
@Validated
@ConfigurationProperties("quotegate.web")
public record WebProperties(
    @DefaultValue("256KB") @NotNull DataSize maxBodySize,
    @DefaultValue("2KB") @NotNull DataSize gzipMinSize,
    @DefaultValue("8MB") @NotNull DataSize gzipMaxSize,
    @DefaultValue("256") @Min(1) @Max(100_000) int http2MaxConcurrentStreams) {}
