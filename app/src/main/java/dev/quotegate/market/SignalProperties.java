package dev.quotegate.market;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Technical signals ({@code GET /api/v1/signals}).
 *
 * @param maxSymbols most symbols one request may name
 * @param historyBars daily bars read per symbol (the 200-day average and its cross need 201)
 * @param lookback bars back from the latest in which a signal that fired is reported
 * @param concurrency most symbols' history read at once for one request
 * @param rsiOverbought RSI(14) above which a symbol is overbought
 * @param rsiOversold RSI(14) below which it is oversold
 * @param volumeSpike a bar's volume over this multiple of the previous 20 bars' average is a spike
 */
@Validated
@ConfigurationProperties("quotegate.signals")
public record SignalProperties(
    @DefaultValue("50") @Min(1) @Max(500) int maxSymbols,
    @DefaultValue("260") @Min(210) @Max(2000) int historyBars,
    @DefaultValue("5") @Min(1) @Max(50) int lookback,
    @DefaultValue("4") @Min(1) @Max(64) int concurrency,
    @DefaultValue("70") @DecimalMin("50") @DecimalMax("100") double rsiOverbought,
    @DefaultValue("30") @DecimalMin("0") @DecimalMax("50") double rsiOversold,
    @DefaultValue("2.0") @DecimalMin("1.0") @DecimalMax("100") double volumeSpike) {}
