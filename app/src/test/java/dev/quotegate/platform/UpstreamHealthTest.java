package dev.quotegate.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** Upstream health tells the truth: impaired providers are DEGRADED, an exhausted quote chain DOWN. */
class UpstreamHealthTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final UpstreamHealth health = new UpstreamHealth(MutableClock.marketOpen(), 5, registry);

  /** A guard view whose state the test sets. */
  static final class View implements UpstreamHealth.GuardView {
    volatile String impairment;
    volatile boolean refusing;

    @Override
    public String circuit() {
      return "CLOSED";
    }

    @Override
    public Map<String, Object> details() {
      return Map.of("circuit", "CLOSED");
    }

    @Override
    public String impairment() {
      return impairment;
    }

    @Override
    public boolean refusing() {
      return refusing;
    }
  }

  private Health now() {
    return health.health().block(Duration.ofSeconds(5));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> detailsOf(Health h, String name) {
    return (Map<String, Object>) h.getDetails().get(name);
  }

  @Test
  void aProviderCoolingDownAfterA429StormIsDegradedWithItsReasonThoughItsCircuitIsClosed() {
    View sim = new View();
    View yahoo = new View();
    health.attach("sim", sim);
    health.attach("yahoo", yahoo);
    health.chains(() -> Map.of("quotes", List.of("sim", "yahoo")));
    assertThat(now().getStatus()).isEqualTo(Status.UP);

    sim.impairment = "cooling down after a 429";
    sim.refusing = true;
    Health h = now();
    assertThat(h.getStatus()).as("one provider of two refusing").isEqualTo(UpstreamHealth.DEGRADED);
    assertThat(detailsOf(h, "sim")).containsEntry("status", "DEGRADED").containsEntry("reason", "cooling down after a 429");
    assertThat(detailsOf(h, "yahoo")).containsEntry("status", "UP");
  }

  @Test
  void noProviderOfTheQuoteChainCallableIsDownAndAnotherChainExhaustedIsDegraded() {
    View sim = new View();
    View finnhub = new View();
    health.attach("sim", sim);
    health.attach("finnhub", finnhub);
    health.chains(() -> Map.of("quotes", List.of("sim"), "news", List.of("finnhub")));

    finnhub.impairment = "circuit open";
    finnhub.refusing = true;
    assertThat(now().getStatus()).as("the news chain exhausted").isEqualTo(UpstreamHealth.DEGRADED);

    sim.impairment = "circuit open";
    sim.refusing = true;
    Health h = now();
    assertThat(h.getStatus()).as("the quote chain exhausted").isEqualTo(Status.DOWN);
    assertThat(h.getDetails().get("chains").toString()).contains("quotes").contains("news");

    sim.impairment = null;
    sim.refusing = false;
    assertThat(now().getStatus()).isEqualTo(UpstreamHealth.DEGRADED);
    assertThat(registry.get("quotegate.upstream.health.changes").tag("status", "DOWN").counter().count()).isEqualTo(1.0);
  }

  @Test
  void consecutiveFailedCallsMakeAProviderDegraded() {
    for (int i = 0; i < 5; i++) {
      health.record("sim", "timeout");
    }
    Health h = now();
    assertThat(h.getStatus()).isEqualTo(UpstreamHealth.DEGRADED);
    assertThat(detailsOf(h, "sim")).containsEntry("reason", "the last 5 calls failed");
    health.record("sim", "success");
    assertThat(now().getStatus()).isEqualTo(Status.UP);
  }
}
