package dev.quotegate.market;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The one-call dashboard summary ({@code GET /api/v1/dashboard}).
 *
 * @param indices the index (or index fund) symbols quoted in every summary
 * @param maxSymbols most watchlist symbols one request may name
 * @param movers gainers and losers in the summary (each)
 */
@Validated
@ConfigurationProperties("quotegate.summary")
public record SummaryProperties(
    @DefaultValue({"SPY", "QQQ", "DIA", "IWM"}) @NotNull @Size(max = 20) List<String> indices,
    @DefaultValue("50") @Min(1) @Max(100) int maxSymbols,
    @DefaultValue("5") @Min(0) @Max(20) int movers) {}
