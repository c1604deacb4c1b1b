package dev.quotegate.portfolio;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Portfolio valuation.
 *
 * @param maxHoldings most holdings one valuation request may list
 */
@Validated
@ConfigurationProperties("quotegate.portfolio")
public record PortfolioProperties(@DefaultValue("200") @Min(1) @Max(1000) int maxHoldings) {}
