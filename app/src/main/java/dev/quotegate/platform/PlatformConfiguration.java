package dev.quotegate.platform;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Shared infrastructure: the clock and the upstream HTTP client. */
@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** Health component {@code upstream}: passive, from real calls. */
  @Bean
  UpstreamHealth upstreamHealthIndicator(Clock clock, MeterRegistry registry) {
    return new UpstreamHealth(clock, 5, registry);
  }

  /** Reactor Netty's {@code remote.address} meter tag shows provider names, never addresses. */
  @Bean
  UpstreamAddresses upstreamAddresses() {
    return new UpstreamAddresses();
  }

  @Bean
  MeterFilter upstreamAddressTags(UpstreamAddresses addresses) {
    return addresses.meterFilter();
  }

  @Bean(destroyMethod = "close")
  UpstreamClient upstreamClient(
      HttpClientProperties props, MeterRegistry registry, JsonMapper json, UpstreamHealth health,
      UpstreamAddresses addresses) {
    return new UpstreamClient(props, registry, json, health, addresses);
  }
}
