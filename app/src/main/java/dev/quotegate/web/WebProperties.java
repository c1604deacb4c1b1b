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
 */
@Validated
@ConfigurationProperties("quotegate.web")
public record WebProperties(@DefaultValue("256KB") @NotNull DataSize maxBodySize) {}
