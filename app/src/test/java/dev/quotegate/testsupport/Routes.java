package dev.quotegate.testsupport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.springframework.context.ApplicationContext;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * Every route of the running application's functional router, read with the router's own
 * visitors: the table that route-wide tests (authorisation, conventions, the API contract)
 * iterate, so a new route is covered without editing them.
 */
public final class Routes {

  /** One route: HTTP method and path pattern. */
  public record Route(String method, String pattern) {
    /** The pattern with each {@code {variable}} filled in with a plausible value. */
    public String concretePath() {
      return pattern.replace("{symbol}", "AAPL").replaceAll("\\{[^}]+}", "x1");
    }

    @Override
    public String toString() {
      return method + " " + pattern;
    }
  }

  private Routes() {}

  /** Every route of every {@link RouterFunction} bean, sorted. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  public static List<Route> all(ApplicationContext context) {
    Set<Route> out = new LinkedHashSet<>();
    for (RouterFunction<?> fn : context.getBeansOfType(RouterFunction.class).values()) {
      fn.accept(new Collector(out));
    }
    List<Route> list = new ArrayList<>(out);
    list.sort(Comparator.comparing(Route::pattern).thenComparing(Route::method));
    return list;
  }

  /** The routes under {@code /api/v1/admin}. */
  public static List<Route> admin(ApplicationContext context) {
    return all(context).stream().filter(r -> r.pattern().startsWith("/api/v1/admin")).toList();
  }

  /**
   * Spellings of {@code path} an attacker would try: matrix parameters at every segment,
   * percent-encoded letters and separators, empty and dot segments, case and a trailing slash.
   */
  public static List<String> variants(String path) {
    List<String> out = new ArrayList<>();
    String[] segs = path.substring(1).split("/");
    for (int i = 0; i < segs.length; i++) {
      if (segs[i].isEmpty()) {
        continue; // "/" itself: only the whole-path spellings below apply
      }
      out.add(join(segs, i, segs[i] + ";x"));
      out.add(join(segs, i, segs[i] + ";"));
      out.add(join(segs, i, segs[i] + ";jsessionid=1"));
      out.add(join(segs, i, "%" + Integer.toHexString(segs[i].charAt(0)) + segs[i].substring(1)));
      out.add(join(segs, i, segs[i].toUpperCase(java.util.Locale.ROOT)));
      if (i > 0) {
        out.add(join(segs, i, "/" + segs[i]));
        out.add(join(segs, i, "./" + segs[i]));
        out.add(join(segs, i, "zz/../" + segs[i]));
        out.add(join(segs, i, "%2E/" + segs[i]));
      }
    }
    out.add(path.replaceFirst("/admin/", "/admin%2F"));
    out.add(path.replaceFirst("/admin/", "/admin%2f"));
    out.add(path.replaceFirst("/admin/", "/admin%5C"));
    out.add(path.replaceFirst("/admin", "/Admin"));
    out.add(path + "/");
    out.add(path + "/.");
    out.add(path + "%00");
    out.add("/" + path);
    return out;
  }

  private static String join(String[] segs, int at, String replacement) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < segs.length; i++) {
      sb.append('/').append(i == at ? replacement : segs[i]);
    }
    return sb.toString();
  }

  private static final class Collector implements RouterFunctions.Visitor {
    private final Set<Route> out;
    private final List<String> prefixes = new ArrayList<>();

    Collector(Set<Route> out) {
      this.out = out;
    }

    @Override
    public void startNested(RequestPredicate predicate) {
      Pred p = Pred.of(predicate);
      prefixes.add(p.path == null ? "" : p.path);
    }

    @Override
    public void endNested(RequestPredicate predicate) {
      prefixes.remove(prefixes.size() - 1);
    }

    @Override
    public void route(RequestPredicate predicate, HandlerFunction<?> handlerFunction) {
      Pred p = Pred.of(predicate);
      String path = String.join("", prefixes) + (p.path == null ? "" : p.path);
      for (String m : p.methods.isEmpty() ? Set.of("GET") : p.methods) {
        out.add(new Route(m, path));
      }
    }

    @Override
    public void resources(Function<ServerRequest, Mono<Resource>> lookupFunction) {}

    @Override
    public void attributes(Map<String, Object> attributes) {}

    @Override
    public void unknown(RouterFunction<?> routerFunction) {}
  }

  private static final class Pred implements RequestPredicates.Visitor {
    String path;
    final Set<String> methods = new LinkedHashSet<>();

    static Pred of(RequestPredicate predicate) {
      Pred p = new Pred();
      predicate.accept(p);
      return p;
    }

    @Override
    public void method(Set<HttpMethod> m) {
      m.forEach(x -> methods.add(x.name()));
    }

    @Override
    public void path(String pattern) {
      path = path == null ? pattern : path;
    }

    // Still abstract in Spring Framework 7's Visitor, though deprecated for removal: it must be
    // implemented, and no route of the gateway uses a path extension.
    @Override
    @SuppressWarnings("removal")
    public void pathExtension(String extension) {}

    @Override
    public void header(String name, String value) {}

    @Override
    public void queryParam(String name, String value) {}

    @Override
    public void version(String version) {}

    @Override
    public void startAnd() {}

    @Override
    public void and() {}

    @Override
    public void endAnd() {}

    @Override
    public void startOr() {}

    @Override
    public void or() {}

    @Override
    public void endOr() {}

    @Override
    public void startNegate() {}

    @Override
    public void endNegate() {}

    @Override
    public void unknown(RequestPredicate predicate) {}
  }
}
