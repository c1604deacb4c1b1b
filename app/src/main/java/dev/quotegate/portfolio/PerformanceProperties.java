package dev.quotegate.portfolio;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Portfolio performance ({@code POST /api/v1/portfolio/performance}). Holdings are bounded by
 * {@code quotegate.portfolio.max-holdings}.
 *
 * @param benchmark the benchmark symbol when a request names none
 * @param riskFreeRate annual risk-free rate for Sharpe and Sortino (0.04 is 4 %)
 * @param periodsPerYear trading days per year, for annualising
 * @param historyConcurrency most symbols' history read at once for one request
 * @param maxTrades most trades one request may list (all holdings together)
 * @param maxDays longest {@code from}/{@code to} range in calendar days
 */
@Validated
@ConfigurationProperties("quotegate.portfolio.performance")
public record PerformanceProperties(
    @DefaultValue("SPY") @NotBlank String benchmark,
    @DefaultValue("0.04") @DecimalMin("-0.5") @DecimalMax("1") double riskFreeRate,
    @DefaultValue("252") @Min(1) @Max(366) int periodsPerYear,
    @DefaultValue("4") @Min(1) @Max(256) int historyConcurrency,
    @DefaultValue("2000") @Min(0) @Max(100000) int maxTrades,
    @DefaultValue("1830") @Min(7) @Max(7300) int maxDays) {}
