package dev.quotegate.provider.polygon;

import dev.quotegate.platform.UpstreamClient;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the Polygon adapter when {@code quotegate.providers.polygon.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("quotegate.providers.polygon.enabled")
class PolygonProviderConfiguration {

  @Bean
  PolygonAdapter polygonProvider(UpstreamClient client, PolygonProperties props) {
    return new PolygonAdapter(client, props);
  }
}
