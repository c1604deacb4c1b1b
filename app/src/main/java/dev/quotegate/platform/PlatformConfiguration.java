package dev.quotegate.platform;

import io.micrometer.core.instrument.MeterRegistry;
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
  UpstreamHealth upstreamHealthIndicator(Clock clock) {
    return new UpstreamHealth(clock, 5);
  }

  @Bean(destroyMethod = "close")
  UpstreamClient upstreamClient(
      HttpClientProperties props, MeterRegistry registry, JsonMapper json, UpstreamHealth health) {
    return new UpstreamClient(props, registry, json, health);
  }
}
