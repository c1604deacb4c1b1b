package dev.quotegate.provider;

import static dev.quotegate.testsupport.TestUpstream.failsUpstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.testsupport.FixtureServer;
import dev.quotegate.testsupport.FixtureServer.Reply;
import dev.quotegate.testsupport.TestUpstream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * The behaviours every real adapter shares, run by each adapter's test class against fixtures
 * written from that provider's documentation: a quote names its price, time and source; a 429
 * is rate-limited with the provider's Retry-After; a body that does not decode is malformed and
 * never quotes the key; a London daily range is every session once, stamped at 08:00 London,
 * in pounds (or, for a provider without London listings, the adapter says it cannot serve the
 * symbol). A new adapter gets the whole suite by extending this class and answering its hooks.
 */
public abstract class AdapterConformance {

  /** London sessions of the shared daily range: Monday 2025-06-30 to Wednesday 07-02. */
  protected static final List<Instant> LONDON_OPENS = List.of(
      Instant.parse("2025-06-30T07:00:00Z"), Instant.parse("2025-07-01T07:00:00Z"), Instant.parse("2025-07-02T07:00:00Z"));

  /** The fixture server the adapter is pointed at. */
  protected abstract FixtureServer server();

  /** The adapter under test. */
  protected abstract ProviderAdapter adapter();

  /** The provider's API key in the tests (never to appear in an error), or null. */
  protected abstract String key();

  /** A US symbol the quote fixture answers. */
  protected String usSymbol() {
    return "AAPL";
  }

  /** Serves a valid quote answer for {@link #usSymbol()} at the adapter's quote route. */
  protected abstract void serveQuote();

  /** Serves {@code reply} at the adapter's quote route (where the quote fixture is). */
  protected abstract void serveAtQuoteRoute(Reply reply);

  /**
   * The London symbol of the shared daily range, served with the provider's own stamps for
   * {@link #LONDON_OPENS}' three sessions (prices 70.10 .. pence where it states the unit), or
   * null when the provider lists no London equities.
   */
  protected abstract String serveLondonDaily();

  @Test
  void conformanceQuoteNamesItsPriceTimeAndSource() {
    serveQuote();
    StepVerifier.create(((QuoteProvider) adapter()).quotes(List.of(usSymbol())))
        .assertNext(m -> {
          Quote q = m.get(usSymbol());
          assertThat(q).as("the asked symbol, in gateway form").isNotNull();
          assertThat(q.price()).isPositive();
          assertThat(q.asOf()).isNotNull();
          assertThat(q.source()).isEqualTo(adapter().name());
        })
        .expectComplete()
        .verify(TestUpstream.VERIFY);
  }

  @Test
  void conformanceA429IsRateLimitedWithTheProvidersRetryAfter() {
    serveAtQuoteRoute(new Reply(429, Map.of("Retry-After", "7"), "Too Many Requests".getBytes(StandardCharsets.UTF_8)));
    failsUpstream(((QuoteProvider) adapter()).quotes(List.of(usSymbol())), UpstreamFailure.RATE_LIMITED,
        u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(7)));
  }

  @Test
  void conformanceABodyThatDoesNotDecodeIsMalformedAndNeverQuotesTheKey() {
    serveAtQuoteRoute(new Reply(200, Map.of("Content-Type", "application/json"),
        "{\"broken\": [".getBytes(StandardCharsets.UTF_8)));
    failsUpstream(((QuoteProvider) adapter()).quotes(List.of(usSymbol())), UpstreamFailure.MALFORMED, u -> {
      if (key() != null) {
        assertThat(u.getMessage()).doesNotContain(key());
        assertThat(u.detail()).doesNotContain(key());
      }
    });
  }

  @Test
  void conformanceALondonDailyRangeIsEverySessionOnceAtTheLondonOpen() {
    String london = serveLondonDaily();
    if (london == null) {
      assertThat(adapter().supportsSymbol("VOD.L")).as("a provider without London listings says so").isFalse();
      return;
    }
    StepVerifier.create(((BarProvider) adapter()).bars(london, BarInterval.D1, LONDON_OPENS.get(0),
            Instant.parse("2025-07-03T07:00:00Z")))
        .assertNext(bars -> assertThat(bars).extracting(Bar::ts).as("each London session once, at 08:00 London")
            .containsExactlyElementsOf(LONDON_OPENS))
        .expectComplete()
        .verify(TestUpstream.VERIFY);
  }
}
