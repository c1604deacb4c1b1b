package dev.quotegate.quote;

import dev.quotegate.fetch.Batcher;
import dev.quotegate.provider.ProviderKind;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.provider.Quote;
import dev.quotegate.provider.QuoteProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Fetches one symbol's quote along its provider chain, batched per provider.
 *
 * <p>Each quote provider has its own {@link Batcher} (its batch size, window and pending
 * bound), whose batch call goes through the provider's resilience guards at the plan's cost.
 * The router walks the symbol's chain ({@link ProviderRouter#callBatched}): the symbol is
 * queued at the first provider that would take a call now; when that provider's batch fails
 * or is refused, the symbol moves on to the next provider's batcher (where it batches again
 * with the other symbols moving on). A not-found answer is final.
 *
 * <p>The fetcher does not coalesce: {@link QuoteService} puts one {@code Coalescer} in front,
 * so one symbol has at most one walk of its chain in flight.
 */
final class QuoteFetcher {

  private final ProviderRouter router;
  private final Map<String, Batcher<String, Quote>> batchers = new HashMap<>();
  private final Map<String, Batcher<String, Quote>> refreshBatchers = new HashMap<>();

  QuoteFetcher(
      ProviderRouter router, Duration batchWindow, Duration refreshBatchWindow, int maxPending, Scheduler scheduler,
      MeterRegistry registry) {
    this.router = Objects.requireNonNull(router, "router");
    router.providers(ProviderKind.QUOTES).forEach((name, provider) -> {
      batchers.put(name, batcher("quotes." + name, name, provider, batchWindow, maxPending, scheduler, registry));
      // Background refreshes batch apart, over a longer window: nobody waits on them.
      refreshBatchers.put(name,
          batcher("quotes-refresh." + name, name, provider, refreshBatchWindow, maxPending, scheduler, registry));
    });
  }

  private Batcher<String, Quote> batcher(
      String meterName, String name, QuoteProvider provider, Duration window, int maxPending, Scheduler scheduler,
      MeterRegistry registry) {
    return new Batcher<>(
        meterName,
        window,
        provider.maxBatchSize(),
        Math.max(maxPending, provider.maxBatchSize()),
        symbols -> router.guardBatch(name, ProviderKind.QUOTES, symbols.size(), provider.quotes(symbols))
            .map(answers -> withSource(answers, name)),
        scheduler,
        registry);
  }

  /** The quote, empty if the provider asked says it does not know the symbol, or an error. */
  Mono<Quote> fetch(String symbol) {
    return fetch(symbol, false);
  }

  /**
   * As {@link #fetch(String)}; a {@code background} fetch (a refresh nobody waits for) goes into
   * the providers' refresh batches.
   */
  Mono<Quote> fetch(String symbol, boolean background) {
    Map<String, Batcher<String, Quote>> which = background ? refreshBatchers : batchers;
    // The router walks the chain (skipping refusing providers and those that cannot serve the
    // symbol); each provider's batcher guards its batch call once for all its symbols.
    return router.callBatched(ProviderKind.QUOTES, symbol, provider -> which.get(provider.name()).get(symbol));
  }

  /** Every quote names the provider that really served it, whatever the adapter wrote. */
  private static Map<String, Quote> withSource(Map<String, Quote> quotes, String provider) {
    boolean mismatch = false;
    for (Quote q : quotes.values()) {
      if (!provider.equals(q.source())) {
        mismatch = true;
        break;
      }
    }
    if (!mismatch) {
      return quotes;
    }
    Map<String, Quote> out = new LinkedHashMap<>(quotes.size() * 2);
    quotes.forEach((s, q) -> out.put(s, q.withSource(provider)));
    return out;
  }
}
