package dev.quotegate.web;

import dev.quotegate.web.DashboardAssets.Asset;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Serves the dashboard page ({@code GET /}), the operations view ({@code GET /ops}), their
 * files ({@code GET /assets/**}) and the list of API routes this gateway has ({@code GET
 * /dashboard/features}), from memory ({@link DashboardAssets}). Same origin as the API, so the
 * page needs no CORS.
 *
 * <p>The route bean is ordered last: the router tries the API's routes first, so an API
 * request never evaluates these predicates (and {@code ApiRoutesFirst} still puts the whole
 * router ahead of the actuator). Every answer carries the page's Content-Security-Policy.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "quotegate.dashboard", name = "enabled", havingValue = "true", matchIfMissing = true)
class DashboardConfiguration {

  private static final Logger log = LoggerFactory.getLogger(DashboardConfiguration.class);

  /**
   * Only our own origin, no inline script or style, no eval, no framing, no plugins: the page is
   * written for it (docs/dashboard.md). {@code data:} images for the favicon-free canvas exports.
   */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
      + "form-action 'self'";

  /** Routes under this prefix are never listed in the features answer. */
  private static final String ADMIN_PREFIX = "/api/v1/admin";

  @Bean
  DashboardAssets dashboardAssets(DashboardProperties props, MeterRegistry registry) {
    DashboardAssets assets = DashboardAssets.load(props);
    Gauge.builder("quotegate.dashboard.assets", assets, DashboardAssets::count)
        .description("Files of the dashboard page held in memory")
        .register(registry);
    Gauge.builder("quotegate.dashboard.assets.bytes", assets, DashboardAssets::totalBytes)
        .description("Bytes of the dashboard page's files held in memory (uncompressed)")
        .register(registry);
    log.info("dashboard at / and /ops: {}", assets);
    return assets;
  }

  @Bean
  @Order(Ordered.LOWEST_PRECEDENCE)
  RouterFunction<ServerResponse> dashboardRoutes(DashboardAssets assets, ApplicationContext context, Environment env) {
    Features features = new Features(context, StringUtils.hasText(env.getProperty("quotegate.admin.token")));
    return RouterFunctions.route()
        .GET("/", request -> serve(request, assets.get("/")))
        .GET("/ops", request -> serve(request, assets.get("/ops")))
        .GET("/assets/**", request -> serve(request, assets.get(request.path())))
        .GET("/dashboard/features", request -> ServerResponse.ok()
            .headers(h -> pageHeaders(h, "no-cache"))
            .bodyValue(features.get()))
        .build();
  }

  static Mono<ServerResponse> serve(ServerRequest request, Asset asset) {
    if (asset == null) {
      return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "no such file: " + request.path()));
    }
    boolean gzip = asset.gzip() != null && acceptsGzip(request.headers().firstHeader(HttpHeaders.ACCEPT_ENCODING));
    String etag = gzip ? asset.gzipEtag() : asset.etag();
    String ifNoneMatch = request.headers().firstHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
      return ServerResponse.status(HttpStatus.NOT_MODIFIED)
          .headers(h -> headers(h, asset, etag, gzip))
          .build();
    }
    byte[] body = gzip ? asset.gzip() : asset.bytes();
    return ServerResponse.ok()
        .headers(h -> headers(h, asset, etag, gzip))
        .contentLength(body.length)
        .bodyValue(body);
  }

  private static void headers(HttpHeaders h, Asset asset, String etag, boolean gzip) {
    // no-cache: revalidated on every load (a 304 on loopback costs well under a millisecond),
    // so a new page after a deploy is picked up at once without versioned file names.
    pageHeaders(h, "no-cache");
    h.set(HttpHeaders.CONTENT_TYPE, asset.contentType());
    h.setETag(etag);
    if (asset.gzip() != null) {
      h.set(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
    }
    if (gzip) {
      h.set(HttpHeaders.CONTENT_ENCODING, "gzip");
    }
  }

  static void pageHeaders(HttpHeaders h, String cacheControl) {
    h.set(HttpHeaders.CACHE_CONTROL, cacheControl);
    h.set("Content-Security-Policy", CSP);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
  }

  /** Whether an Accept-Encoding value admits gzip (a {@code q=0} refuses it). */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String part : acceptEncoding.split(",")) {
      String[] p = part.trim().split(";");
      String coding = p[0].trim().toLowerCase(Locale.ROOT);
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        for (int i = 1; i < p.length; i++) {
          String param = p[i].trim().toLowerCase(Locale.ROOT).replace(" ", "");
          if (param.startsWith("q=") && Double.parseDouble(param.substring(2).isEmpty() ? "1" : param.substring(2)) == 0) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }

  static boolean matches(String ifNoneMatch, String etag) {
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Which API routes this gateway has, read once from the composed router on first use: the
   * page shows a panel that needs an endpoint only when the endpoint exists, so it never
   * provokes a 404 (and the browser's console error that comes with one).
   */
  static final class Features {
    private final ApplicationContext context;
    private final boolean admin;
    private volatile Map<String, Object> answer;

    Features(ApplicationContext context, boolean admin) {
      this.context = context;
      this.admin = admin;
    }

    Map<String, Object> get() {
      Map<String, Object> a = answer;
      if (a == null) {
        List<String> routes = new ArrayList<>();
        for (RouterFunctionMapping m : context.getBeansOfType(RouterFunctionMapping.class).values()) {
          if (m.getRouterFunction() != null) {
            for (String r : RouteTable.of(m.getRouterFunction())) {
              String path = r.substring(r.indexOf(' ') + 1);
              if (path.startsWith("/api/") && !path.startsWith(ADMIN_PREFIX)) {
                routes.add(r);
              }
            }
          }
        }
        a = Map.of("routes", List.copyOf(routes), "admin", admin);
        answer = a;
      }
      return a;
    }
  }
}
