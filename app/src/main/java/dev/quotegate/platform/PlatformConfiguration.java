package dev.quotegate.platform;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Clock;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
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

  /**
   * Log lines through a bounded queue that never blocks the logging thread (a stdout nobody
   * drains must not wedge the event loops). Off with {@code quotegate.logging.async=false}:
   * tests turn it off to read their own log synchronously.
   */
  @Bean
  @ConditionalOnProperty(name = "quotegate.logging.async", havingValue = "true", matchIfMissing = true)
  LogQueue logQueue(Environment env, MeterRegistry registry) {
    int size = env.getProperty("quotegate.logging.queue-size", Integer.class, 8192);
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      return new LogQueue(context, size, registry);
    }
    return new LogQueue(new LoggerContext(), size, registry);
  }

  /** {@code logback.events} by level, from an appender (see {@link LogEvents}). */
  @Bean(destroyMethod = "close")
  LogEvents logEvents(MeterRegistry registry) {
    LoggerContext context = LoggerFactory.getILoggerFactory() instanceof LoggerContext c ? c : new LoggerContext();
    return new LogEvents(context, registry);
  }

  @Bean(destroyMethod = "close")
  UpstreamClient upstreamClient(
      HttpClientProperties props, MeterRegistry registry, JsonMapper json, UpstreamHealth health,
      UpstreamAddresses addresses) {
    return new UpstreamClient(props, registry, json, health, addresses);
  }
}
