package dev.quotegate.market;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The search index: Lucene, in memory, over the listed universe and the listings providers'
 * search answers and profiles have returned.
 *
 * @param maxListings most listings the index holds (the universe first, then listings learnt
 *     from providers' search answers); beyond it, learnt listings are not added
 * @param maxResults most hits one query ranks (pages of {@code limit} up to this depth)
 * @param maxTerms most words of one query that are searched (the rest are ignored)
 * @param maxEdits most edits (1 or 2) a word may be away from an indexed word and still match;
 *     words of up to 4 letters allow one edit, and words of 1 or 2 letters none
 * @param rebuildQueue most index rebuilds waiting on the index scheduler (one thread); a
 *     rebuild asked for beyond it is dropped, the next one includes its listings
 * @param rebuildDelay how long learnt listings are gathered before the index is rebuilt
 * @param fuzzyCache most compiled typo-tolerant word queries kept (a word's Levenshtein
 *     automata are built once, not on every search)
 * @param providerFallback whether a query the index answers with nothing is asked of the
 *     search chain ({@code quotegate.routing.search}), whose hits are then indexed
 */
@Validated
@ConfigurationProperties("quotegate.search")
public record SearchProperties(
    @DefaultValue("20000") @Min(1) @Max(1000000) int maxListings,
    @DefaultValue("100") @Min(1) @Max(1000) int maxResults,
    @DefaultValue("8") @Min(1) @Max(32) int maxTerms,
    @DefaultValue("2") @Min(0) @Max(2) int maxEdits,
    @DefaultValue("16") @Min(1) @Max(1024) int rebuildQueue,
    @DefaultValue("200ms") @NotNull Duration rebuildDelay,
    @DefaultValue("10000") @Min(0) @Max(1000000) int fuzzyCache,
    @DefaultValue("true") boolean providerFallback) {}
