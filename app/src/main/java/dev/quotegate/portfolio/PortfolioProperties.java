package dev.quotegate.portfolio;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Portfolio valuation and performance.
 *
 * @param maxHoldings most holdings one request may list
 * @param maxQuantity largest absolute quantity of one holding (shares, units); bounds every
 *     product so no request makes the gateway compute with numbers proportional to an exponent
 * @param maxCostBasis largest cost per share a holding may state
 * @param maxDecimals most decimal places a quantity or cost may have
 */
@Validated
@ConfigurationProperties("quotegate.portfolio")
public record PortfolioProperties(
    @DefaultValue("200") @Min(1) @Max(1000) int maxHoldings,
    @DefaultValue("1000000000000") @NotNull BigDecimal maxQuantity,
    @DefaultValue("1000000000") @NotNull BigDecimal maxCostBasis,
    @DefaultValue("8") @Min(0) @Max(18) int maxDecimals) {}
