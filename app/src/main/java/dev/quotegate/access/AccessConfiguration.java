package dev.quotegate.access;

import dev.quotegate.platform.redis.RedisConnections;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Client access: CORS ({@link CorsGuard}), API keys and rate limits ({@link ClientAccess}, put on
 * every route bean so it is decided on the matched route), and the security headers of every
 * answer.
 */
@Configuration(proxyBeanMethods = false)
class AccessConfiguration {

  /** Set on every answer, errors included (the dashboard's page sets its CSP on top). */
  static final String NOSNIFF = "nosniff";
  static final String REFERRER_POLICY = "no-referrer";

  @Bean
  AccessMeters accessMeters(MeterRegistry registry, SecurityProperties security) {
    return new AccessMeters(registry, security.apiKeys().stream().map(SecurityProperties.ApiKey::id).toList());
  }

  @Bean
  ClientRateLimiter clientRateLimiter(RateLimitProperties props, ObjectProvider<RedisConnections> redis,
      AccessMeters meters, MeterRegistry registry) {
    return new ClientRateLimiter(props, redis.getIfAvailable(), meters, registry, System::nanoTime);
  }

  @Bean
  ClientAccess clientAccess(SecurityProperties security, RateLimitProperties limits, ClientRateLimiter limiter,
      AccessMeters meters, AdminAccess admin, MeterRegistry registry) {
    return new ClientAccess(security, limits, new ApiKeys(security, limits), limiter, meters, admin, registry);
  }

  @Bean
  CorsGuard corsGuard(CorsProperties props, AccessMeters meters) {
    return new CorsGuard(props, meters);
  }

  /**
   * Puts {@link ClientAccess} on every router function bean, so each route's request passes it
   * after the router matched (it reads the matched pattern); looked up on first use, so this
   * post-processor makes no bean early.
   */
  @Bean
  static BeanPostProcessor clientAccessOnEveryRoute(ObjectProvider<ClientAccess> access) {
    HandlerFilterFunction<ServerResponse, ServerResponse> lazy = new HandlerFilterFunction<>() {
      private volatile ClientAccess resolved;

      @Override
      public reactor.core.publisher.Mono<ServerResponse> filter(
          org.springframework.web.reactive.function.server.ServerRequest request,
          org.springframework.web.reactive.function.server.HandlerFunction<ServerResponse> next) {
        ClientAccess a = resolved;
        if (a == null) {
          a = access.getObject();
          resolved = a;
        }
        return a.filter(request, next);
      }
    };
    return new BeanPostProcessor() {
      @Override
      @SuppressWarnings("unchecked")
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof RouterFunction<?> rf) {
          return ((RouterFunction<ServerResponse>) rf).filter(lazy);
        }
        return bean;
      }
    };
  }

  /** Reactor Netty's access log, when turned on, with query keys masked. */
  @Bean
  AccessLogRedaction accessLogRedaction() {
    return new AccessLogRedaction();
  }

  /**
   * {@code X-Content-Type-Options: nosniff} and {@code Referrer-Policy: no-referrer} on every
   * answer: set on the response before any filter or handler runs, so the refusals of the
   * earliest filters carry them too.
   */
  @Bean
  HttpHandlerDecoratorFactory securityHeaders() {
    return handler -> (request, response) -> {
      HttpHeaders h = response.getHeaders();
      h.set("X-Content-Type-Options", NOSNIFF);
      h.set("Referrer-Policy", REFERRER_POLICY);
      return handler.handle(request, response);
    };
  }
}
