package dev.quotegate.access;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.Principal;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.ReactiveHealthEndpointWebExtension;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointProperties;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * The operations endpoints, closed by default. Only {@code /actuator/health} and {@code
 * /actuator/prometheus} are exposed (application.yml); anonymous callers see the health status
 * alone, a caller with the admin bearer token sees every component and its details; Prometheus
 * can be put behind the token too ({@code quotegate.admin.protect-prometheus}).
 *
 * <p>Without Spring Security the actuator gives every caller an empty security context, so
 * "when-authorized" would never show details. The filter below marks a request carrying the
 * admin token in its Reactor context, and the health extension answers such a request with an
 * authorised context. Paths are matched decoded, as the actuator's own mapping matches them.
 */
@Configuration(proxyBeanMethods = false)
class OperationsAccess {

  static final String ADMIN_CONTEXT_KEY = OperationsAccess.class.getName() + ".admin";

  private static final SecurityContext ADMIN = new SecurityContext() {
    private final Principal principal = () -> "admin";

    @Override
    public Principal getPrincipal() {
      return principal;
    }

    @Override
    public boolean isUserInRole(String role) {
      return true;
    }
  };

  @Bean
  ReactiveHealthEndpointWebExtension reactiveHealthEndpointWebExtension(
      ReactiveHealthContributorRegistry registry,
      ObjectProvider<HealthContributorRegistry> fallback,
      HealthEndpointGroups groups,
      HealthEndpointProperties properties) {
    return new AdminAwareHealth(registry, fallback.getIfAvailable(), groups,
        properties.getLogging().getSlowIndicatorThreshold());
  }

  @Bean
  OperationsFilter operationsFilter(AdminAccess admin, AdminProperties props, MeterRegistry registry) {
    return new OperationsFilter(admin, props, registry);
  }

  /** The health endpoint's web extension, answering admin requests with an authorised context. */
  @EndpointWebExtension(endpoint = HealthEndpoint.class)
  static final class AdminAwareHealth extends ReactiveHealthEndpointWebExtension {
    AdminAwareHealth(ReactiveHealthContributorRegistry registry, HealthContributorRegistry fallback,
        HealthEndpointGroups groups, Duration slowThreshold) {
      super(registry, fallback, groups, slowThreshold);
    }

    @Override
    public Mono<WebEndpointResponse<? extends HealthDescriptor>> health(ApiVersion apiVersion,
        WebServerNamespace serverNamespace, SecurityContext securityContext, boolean showAll, String... path) {
      return Mono.deferContextual(ctx -> super.health(apiVersion, serverNamespace,
          ctx.getOrDefault(ADMIN_CONTEXT_KEY, false) ? ADMIN : securityContext, showAll, path));
    }
  }

  /** Marks admin requests to the actuator; refuses anonymous Prometheus scrapes when configured. */
  @Order(Ordered.HIGHEST_PRECEDENCE + 5)
  static final class OperationsFilter implements WebFilter {
    @Override
    public String toString() {
      return "OperationsFilter"; // constant: the filter chain's per-request checkpoint keeps it (see RequestGuard)
    }

    private final AdminAccess admin;
    private final boolean protectPrometheus;
    private final PathPattern actuator = PathPatternParser.defaultInstance.parse("/actuator/**");
    private final PathPattern prometheus = PathPatternParser.defaultInstance.parse("/actuator/prometheus");
    private final Counter refused;

    OperationsFilter(AdminAccess admin, AdminProperties props, MeterRegistry registry) {
      this.admin = admin;
      this.protectPrometheus = props.protectPrometheus();
      this.refused = Counter.builder("quotegate.access.admin.refused")
          .description("Requests to operator routes refused: routes off, or a missing or wrong token")
          .tag("reason", "prometheus")
          .register(registry);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
      PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
      if (!actuator.matches(path)) {
        return chain.filter(exchange);
      }
      boolean isAdmin = admin.isAdmin(exchange.getRequest());
      if (protectPrometheus && !isAdmin && prometheus.matches(path)) {
        refused.increment();
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"quotegate-admin\"");
        return Mono.error(new ResponseStatusException(HttpStatus.UNAUTHORIZED, "missing or wrong bearer token"));
      }
      return isAdmin ? chain.filter(exchange).contextWrite(c -> c.put(ADMIN_CONTEXT_KEY, true)) : chain.filter(exchange);
    }
  }
}
