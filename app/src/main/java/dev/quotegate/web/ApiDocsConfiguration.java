package dev.quotegate.web;

import dev.quotegate.web.DashboardAssets.Asset;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.webflux.api.OpenApiWebfluxResource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The OpenAPI document at {@code /v3/api-docs} (springdoc; application.yml {@code springdoc.*}),
 * which {@link ApiDocs} fills from the composed router, and its UI at {@code /swagger-ui.html}.
 *
 * <p>The UI's files come from the swagger-ui WebJar, read into memory once at start-up
 * ({@link DashboardAssets#put}: content type, strong ETag, gzip copy) and served like the
 * dashboard's, plus our own {@code swagger-initializer.js} pointing at the document. springdoc's
 * own UI starter is not used: its resource handler reads the WebJar from the jar file on the event
 * loop at every request.
 *
 * <p>springdoc builds the document on its first request, and the build blocks: it scans the
 * class path for annotated classes (file reads) and holds a lock. On an event loop that is a
 * BlockHound error, and a stalled loop in production. So {@link WarmUp} builds it on a
 * bounded-elastic thread as soon as every bean exists (about 1-3 s here, in parallel with the
 * rest of the start-up), and a request for it that comes earlier waits for that build without
 * blocking; requests then serve springdoc's cached copy. {@code springdoc.allowed-locales} pins one locale, so an
 * {@code Accept-Language} of another never triggers a second build on a loop.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocsConfiguration {

  private static final Logger log = LoggerFactory.getLogger(ApiDocsConfiguration.class);

  @Bean
  OpenApiCustomizer quotegateApiDocs(ApplicationContext context) {
    return new ApiDocs(() -> RouteTable.of(context));
  }

  /** The WebJar's files the UI's page loads, by their name inside the WebJar's version folder. */
  static final List<String> UI_FILES = List.of(
      "index.html", "index.css", "swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
      "favicon-32x32.png", "favicon-16x16.png");

  static final String UI_PATH = "/swagger-ui.html";
  static final String UI_PREFIX = "/swagger-ui/";

  /**
   * {@code GET /swagger-ui.html} (a redirect to the page) and {@code GET /swagger-ui/{file}}.
   * Ordered last, with the dashboard's: never evaluated before an API route.
   */
  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  RouterFunction<ServerResponse> apiDocsUiRoutes(MeterRegistry registry) {
    Map<String, Asset> files = loadUi();
    long bytes = files.values().stream().mapToLong(a -> a.bytes().length).sum();
    Gauge.builder("quotegate.apidocs.ui.bytes", () -> bytes)
        .description("Bytes of the OpenAPI UI's files held in memory (uncompressed)")
        .register(registry);
    return RouterFunctions.route()
        .GET(UI_PATH, request -> ServerResponse.status(HttpStatus.FOUND)
            .location(URI.create(UI_PREFIX + "index.html"))
            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
            .build())
        .GET(UI_PREFIX + "{file}", request -> DashboardConfiguration.serve(request, files.get(request.path())))
        .build();
  }

  private static Map<String, Asset> loadUi() {
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(ApiDocsConfiguration.class.getClassLoader());
    Map<String, Asset> out = new LinkedHashMap<>();
    try {
      for (String file : UI_FILES) {
        Resource[] found = resolver.getResources("classpath*:META-INF/resources/webjars/swagger-ui/*/" + file);
        if (found.length != 1) {
          throw new IllegalStateException("OpenAPI UI: expected one swagger-ui WebJar file " + file + ", found " + found.length);
        }
        DashboardAssets.put(out, UI_PREFIX + file, found[0]);
      }
      DashboardAssets.put(out, UI_PREFIX + "swagger-initializer.js", new ClassPathResource("apidocs/swagger-initializer.js"));
    } catch (IOException e) {
      throw new UncheckedIOException("OpenAPI UI: cannot read its files", e);
    }
    return Map.copyOf(out);
  }

  @Bean
  WarmUp apiDocsWarmUp(ObjectProvider<OpenApiWebfluxResource> resource, Environment env) {
    return new WarmUp(resource, env.getProperty("springdoc.api-docs.path", "/v3/api-docs"));
  }

  /**
   * Builds the document on a bounded-elastic thread once every bean exists (the server starts
   * meanwhile), and holds requests for it, without blocking, until it is built.
   */
  static final class WarmUp implements SmartInitializingSingleton, WebFilter, Ordered {
    @Override
    public String toString() {
      return "ApiDocsWarmUp"; // constant: the filter chain's per-request checkpoint keeps it (see RequestGuard)
    }

    private final ObjectProvider<OpenApiWebfluxResource> resource;
    private final String path;
    private final Sinks.Empty<Void> built = Sinks.empty();

    WarmUp(ObjectProvider<OpenApiWebfluxResource> resource, String path) {
      this.resource = resource;
      this.path = path;
    }

    @Override
    public void afterSingletonsInstantiated() {
      Schedulers.boundedElastic().schedule(() -> {
        long start = System.nanoTime();
        try {
          resource.ifAvailable(r -> {
            try {
              r.openapiJson(new StartupRequest(URI.create("http://localhost" + path)), path, Locale.ENGLISH);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
          log.info("OpenAPI document built in {} ms: {}", (System.nanoTime() - start) / 1_000_000, path);
        } catch (RuntimeException e) {
          // Requests then build it themselves (springdoc's own path), and fail the same way.
          log.error("the OpenAPI document could not be built at start-up", e);
        } finally {
          built.tryEmitEmpty();
        }
      });
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
      if (!exchange.getRequest().getPath().value().startsWith(path)) {
        return chain.filter(exchange);
      }
      return built.asMono().then(chain.filter(exchange));
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }

  /** The request springdoc's resource takes to build the document; only its URI is read. */
  private static final class StartupRequest extends AbstractServerHttpRequest {
    StartupRequest(URI uri) {
      super(HttpMethod.GET, uri, null, new HttpHeaders());
    }

    @Override
    protected MultiValueMap<String, HttpCookie> initCookies() {
      return new LinkedMultiValueMap<>();
    }

    @Override
    protected SslInfo initSslInfo() {
      return null;
    }

    @Override
    public <T> T getNativeRequest() {
      throw new UnsupportedOperationException("no native request at start-up");
    }

    @Override
    public Flux<DataBuffer> getBody() {
      return Flux.empty();
    }
  }
}
