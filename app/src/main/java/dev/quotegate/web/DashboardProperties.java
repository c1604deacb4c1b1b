package dev.quotegate.web;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The dashboard page served at {@code /} and the operations view at {@code /ops}
 * (docs/dashboard.md).
 *
 * @param enabled whether the gateway serves the page at all; off for an API-only deployment
 *     (then {@code /}, {@code /ops} and {@code /assets/**} answer 404 like any unknown path)
 * @param maxAssets most files the page may consist of; they are read into memory once at
 *     start-up, and start-up fails beyond this (a packaging mistake, not a runtime condition)
 * @param maxAssetBytes most bytes those files may hold together (uncompressed); same rule
 */
@Validated
@ConfigurationProperties("quotegate.dashboard")
public record DashboardProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("64") @Min(1) @Max(1024) int maxAssets,
    @DefaultValue("4MB") DataSize maxAssetBytes) {}
