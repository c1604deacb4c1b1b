package dev.quotegate.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.HttpClientProperties;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.platform.UpstreamHealth;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/** The shared upstream client for adapter tests, and assertions on typed upstream errors. */
public final class TestUpstream {

  public static final Duration VERIFY = Duration.ofSeconds(20);

  private TestUpstream() {}

  public static UpstreamClient client(MeterRegistry registry) {
    HttpClientProperties props =
        // a generous exchange timeout (the bound of each adapter call): a loaded CI machine
        new HttpClientProperties(4, 100, 100, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(15),
            DataSize.ofMegabytes(1), Duration.ofSeconds(30), 1);
    return new UpstreamClient(props, registry, JsonMapper.builder().build(), new UpstreamHealth(Clock.systemUTC(), 5));
  }

  /** Verifies {@code mono} fails with an {@link Upstream} of {@code kind}, then runs {@code more}. */
  public static void failsUpstream(Mono<?> mono, UpstreamFailure kind, Consumer<Upstream> more) {
    StepVerifier.create(mono)
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(Upstream.class);
              Upstream u = (Upstream) e;
              assertThat(u.kind()).as("failure kind of %s", u.getMessage()).isEqualTo(kind);
              more.accept(u);
            })
        .verify(VERIFY);
  }

  public static void failsNotFound(Mono<?> mono, String item) {
    StepVerifier.create(mono)
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(GatewayException.NotFound.class);
              assertThat(((GatewayException.NotFound) e).item()).isEqualTo(item);
            })
        .verify(VERIFY);
  }

  /** Asserts no meter name, tag key or tag value contains {@code secret}. */
  public static void noSecretInMeters(MeterRegistry registry, String secret) {
    for (Meter m : registry.getMeters()) {
      assertThat(m.getId().toString()).as("meter id").doesNotContain(secret);
    }
  }
}
