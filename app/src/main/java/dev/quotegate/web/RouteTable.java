package dev.quotegate.web;

import java.util.ArrayList;
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
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import reactor.core.publisher.Mono;

/**
 * The routes of a composed router, in the order the router tries them, as
 * {@code "METHOD /path/{pattern}"} strings, read with the router's own visitors. The dashboard
 * uses it to know which optional API endpoints this gateway has (so it never probes one that
 * is missing), and a test uses it to check that the page's routes come after the API's.
 */
final class RouteTable {

  private RouteTable() {}

  /** Every route of every router function mapping of {@code context} (the composed router), in order. */
  static List<String> of(ApplicationContext context) {
    List<String> routes = new ArrayList<>();
    for (RouterFunctionMapping m : context.getBeansOfType(RouterFunctionMapping.class).values()) {
      if (m.getRouterFunction() != null) {
        routes.addAll(of(m.getRouterFunction()));
      }
    }
    return List.copyOf(routes);
  }

  /** Every route of {@code router}, in order. */
  static List<String> of(RouterFunction<?> router) {
    Set<String> out = new LinkedHashSet<>();
    router.accept(new Collector(out));
    return List.copyOf(new ArrayList<>(out));
  }

  private static final class Collector implements RouterFunctions.Visitor {
    private final Set<String> out;
    private final List<String> prefixes = new ArrayList<>();

    Collector(Set<String> out) {
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
        out.add(m + " " + path);
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

    // Deprecated for removal in Spring 7 but still abstract in the Visitor, so it must be
    // implemented; no route of the gateway uses a path extension.
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
