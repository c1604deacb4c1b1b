package dev.quotegate.simulator;

import java.time.Instant;

/**
 * A snapshot of one instrument for the current (or, when closed, the last) session, prices
 * unrounded.
 *
 * @param symbol ticker
 * @param price last price; frozen at the close while the market is closed
 * @param open session open price
 * @param high session high so far
 * @param low session low so far
 * @param previousClose close of the previous session
 * @param volume shares traded in the session so far
 * @param lastTrade instant of {@code price}: now while open, the session close otherwise
 * @param marketOpen whether the regular session is in progress
 */
public record Quote(
    String symbol,
    double price,
    double open,
    double high,
    double low,
    double previousClose,
    long volume,
    Instant lastTrade,
    boolean marketOpen) {}
