package dev.quotegate.simulator;

import java.time.Instant;

/**
 * One OHLCV bar, prices unrounded.
 *
 * @param start bar start (session open for daily bars, first session's open for weekly bars)
 * @param open first price
 * @param high highest price
 * @param low lowest price
 * @param close last price (the current price for a bar still in progress)
 * @param volume shares traded within the bar
 */
public record Bar(Instant start, double open, double high, double low, double close, long volume) {}
