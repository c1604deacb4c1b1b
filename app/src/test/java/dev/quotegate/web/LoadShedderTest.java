package dev.quotegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.GatewayException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class LoadShedderTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final LoadShedder shedder = new LoadShedder(
      new LoadSheddingProperties(true, 2, Duration.ofSeconds(3), List.of("/actuator/health", "/actuator/health/**")),
      registry);
  private final Sinks.Empty<Void> slow = Sinks.empty();

  private Mono<Void> request(String path) {
    return shedder.filter(MockServerWebExchange.from(MockServerHttpRequest.get(path)), exchange -> slow.asMono());
  }

  @Test
  void refusesRequestsBeyondTheBoundAtOnceWithRetryAfterAndReleasesSlotsWhenRequestsEnd() {
    StepVerifier first = StepVerifier.create(request("/api/v1/quotes/A")).expectComplete().verifyLater();
    StepVerifier second = StepVerifier.create(request("/api/v1/quotes/B")).expectComplete().verifyLater();
    assertThat(shedder.inFlight()).isEqualTo(2);

    StepVerifier.create(request("/api/v1/quotes/C"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(GatewayException.Overloaded.class,
            o -> assertThat(o.retryAfter()).isEqualTo(Duration.ofSeconds(3))))
        .verify(TIMEOUT);
    assertThat(registry.get("quotegate.http.shed").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("quotegate.http.inflight").gauge().value()).isEqualTo(2.0);

    slow.tryEmitEmpty();
    first.verify(TIMEOUT);
    second.verify(TIMEOUT);
    assertThat(shedder.inFlight()).as("slots released").isZero();
  }

  @Test
  void healthProbesAreNeitherCountedNorRefused() {
    StepVerifier.create(request("/api/v1/quotes/A")).thenCancel().verify(TIMEOUT);
    StepVerifier a = StepVerifier.create(request("/api/v1/quotes/A")).expectComplete().verifyLater();
    StepVerifier b = StepVerifier.create(request("/api/v1/quotes/B")).expectComplete().verifyLater();
    StepVerifier probe = StepVerifier.create(request("/actuator/health/liveness")).expectComplete().verifyLater();
    assertThat(shedder.inFlight()).isEqualTo(2);
    slow.tryEmitEmpty();
    a.verify(TIMEOUT);
    b.verify(TIMEOUT);
    probe.verify(TIMEOUT);
    assertThat(shedder.inFlight()).isZero();
  }
}
