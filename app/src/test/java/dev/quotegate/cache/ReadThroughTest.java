package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.testsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Profiles, news and search read through their cache kind: fresh, stale-if-error, not found remembered. */
class ReadThroughTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final MutableClock clock = MutableClock.marketOpen();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger loads = new AtomicInteger();
  private final ReadThrough<String> reads = new ReadThrough<>(
      TieredCache.localOnly(CacheKind.PROFILE, new LocalCache<>(CacheKind.PROFILE, 100, Duration.ofHours(1), clock, registry),
          Freshness.fixed(Duration.ofMinutes(5)), Duration.ofHours(1), clock),
      100, Duration.ofSeconds(60), 100, clock, registry);

  private Mono<String> answer(String value) {
    return Mono.fromCallable(() -> {
      loads.incrementAndGet();
      return value;
    });
  }

  private static Mono<String> failing() {
    return Mono.error(new Upstream("p", UpstreamFailure.UNAVAILABLE, "HTTP 502"));
  }

  @Test
  void aFreshValueIsLoadedOnceAndServedFromTheCache() {
    for (int i = 0; i < 3; i++) {
      StepVerifier.create(reads.get("AAPL", () -> answer("apple")).map(Cached::value))
          .expectNext("apple").expectComplete().verify(TIMEOUT);
    }
    assertThat(loads).hasValue(1);
  }

  @Test
  void whenTheChainIsExhaustedTheLastValueIsServedMarkedStale() {
    reads.get("AAPL", () -> answer("apple")).block(TIMEOUT);
    clock.advance(Duration.ofMinutes(6));
    StepVerifier.create(reads.get("AAPL", ReadThroughTest::failing))
        .assertNext(c -> {
          assertThat(c.value()).isEqualTo("apple");
          assertThat(c.isFresh(clock.instant())).as("fresh").isFalse();
        })
        .expectComplete().verify(TIMEOUT);
    assertThat(registry.get("quotegate.cache.stale.served").tag("kind", "profile").counter().count()).isEqualTo(1.0);
  }

  @Test
  void withNothingServableTheChainsErrorReachesTheCaller() {
    StepVerifier.create(reads.get("MSFT", ReadThroughTest::failing)).expectError(Upstream.class).verify(TIMEOUT);
    reads.get("AAPL", () -> answer("apple")).block(TIMEOUT);
    clock.advance(Duration.ofHours(2)); // older than staleMaxAge
    StepVerifier.create(reads.get("AAPL", ReadThroughTest::failing)).expectError(Upstream.class).verify(TIMEOUT);
  }

  @Test
  void aNotFoundAnswerIsRememberedSoJunkKeysDoNotGoUpstreamEachTime() {
    for (int i = 0; i < 3; i++) {
      StepVerifier.create(reads.get("NOPE", () -> {
        loads.incrementAndGet();
        return Mono.error(new GatewayException.NotFound("NOPE", "unknown"));
      })).expectComplete().verify(TIMEOUT);
    }
    assertThat(loads).as("loads of an unknown key").hasValue(1);
    clock.advance(Duration.ofSeconds(61));
    reads.get("NOPE", () -> {
      loads.incrementAndGet();
      return Mono.<String>empty();
    }).block(TIMEOUT);
    assertThat(loads).as("asked again once the negative entry expired").hasValue(2);
  }
}
