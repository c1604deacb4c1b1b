package dev.quotegate.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springdoc.core.customizers.OpenApiCustomizer;

/**
 * The OpenAPI 3.1 document's content, added by springdoc's customizer hook to the document it
 * builds at {@code /v3/api-docs}.
 *
 * <p>The paths come from the composed router itself ({@link RouteTable}, read when the document
 * is built), so a route added to any feature appears in the document without a line here. What
 * the router cannot say (summary, parameters, bodies, answers) is in the table below, keyed by
 * the router's {@code "METHOD /path"}; a route without an entry is still listed, marked
 * {@code x-undocumented}, and {@code ApiDocsWebTest} fails on it. Schemas are written here rather
 * than derived from the features' records: web/ is imported by every feature, so it must not
 * import them.
 */
final class ApiDocs implements OpenApiCustomizer {

  static final String API_KEY = "apiKey";
  static final String BEARER = "bearer";
  static final String ADMIN = "adminToken";
  static final String UNDOCUMENTED = "x-undocumented";
  static final String PROBLEM_JSON = "application/problem+json";

  private static final Pattern VARIABLE = Pattern.compile("\\{\\*?([A-Za-z0-9_]+)(:[^}]*)?}");

  private final Supplier<List<String>> routes;

  /** {@code routes}: every route of the composed router, as {@link RouteTable} writes them. */
  ApiDocs(Supplier<List<String>> routes) {
    this.routes = routes;
  }

  @Override
  public void customise(OpenAPI api) {
    api.info(new Info()
        .title("Quotegate")
        .version("v1")
        .description("Market-data gateway: quotes, streams, history, market data and portfolio valuation. "
            + "Every GET route also answers HEAD (the same headers, no body). Errors are RFC 9457 "
            + "application/problem+json. Conventions, caching headers and examples: docs/api.md."));
    api.components(components(api.getComponents()));
    api.tags(List.of(
        new Tag().name("quotes").description("Quotes from the cache, coalesced and batched upstream"),
        new Tag().name("streams").description("Live quotes over Server-Sent Events and WebSocket"),
        new Tag().name("history").description("OHLCV bars, charts and indicators"),
        new Tag().name("market").description("Profiles, news, search, movers and sectors"),
        new Tag().name("portfolio").description("Valuation of holdings"),
        new Tag().name("admin").description("Operator endpoints, behind the admin token"),
        new Tag().name("operations").description("Health and metrics"),
        new Tag().name("dashboard").description("The dashboard page and its files")));
    // Callers may come anonymously (the anonymous tier) or with a key, either way of sending it.
    api.security(List.of(new SecurityRequirement(), new SecurityRequirement().addList(API_KEY),
        new SecurityRequirement().addList(BEARER)));

    Paths paths = api.getPaths() == null ? new Paths() : api.getPaths();
    for (String route : routes.get()) {
      int space = route.indexOf(' ');
      String method = route.substring(0, space);
      String path = route.substring(space + 1);
      Operation op = operation(route);
      PathItem item = paths.computeIfAbsent(openApiPath(path), p -> new PathItem());
      item.operation(PathItem.HttpMethod.valueOf(method), op);
    }
    paths.addPathItem("/actuator/health", new PathItem().get(doc("operations", "Health",
        "The status alone for anonymous callers; with the admin token every component and its details. "
            + "503 when DOWN.")
        .json("health", new ObjectSchema().addProperty("status", new StringSchema()._enum(List.of("UP", "DEGRADED", "DOWN"))))
        .status(503, "DOWN (same body)")
        .operation("health", null)));
    paths.addPathItem("/actuator/prometheus", new PathItem().get(doc("operations", "Metrics",
        "Every metric in the Prometheus text format; behind the admin token when quotegate.admin.protect-prometheus=true.")
        .text("metrics")
        .operation("prometheus", null)));
    api.paths(paths);
  }

  /** The route's documented operation, or a marked stub when the table has none. */
  static Operation operation(String route) {
    Supplier<Operation> entry = TABLE.get(route);
    if (entry == null) {
      Operation stub = new Operation().summary("Undocumented route").description("No entry in web/ApiDocs for " + route);
      stub.addExtension(UNDOCUMENTED, true);
      stub.responses(new ApiResponses().addApiResponse("default", new ApiResponse().description("undocumented")));
      return stub;
    }
    return entry.get();
  }

  /** A router path pattern as an OpenAPI path: {@code {*rest}} and {@code /**} as one variable. */
  static String openApiPath(String pattern) {
    String p = pattern.endsWith("/**") ? pattern.substring(0, pattern.length() - 3) + "/{path}" : pattern;
    Matcher m = VARIABLE.matcher(p);
    return m.replaceAll("{$1}");
  }

  // --- components ------------------------------------------------------------------------------

  private static Components components(Components existing) {
    Components c = existing == null ? new Components() : existing;
    c.addSecuritySchemes(API_KEY, new SecurityScheme().type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER)
        .name("X-API-Key").description("A client API key. Without one the caller is in the anonymous tier (when it is open)."));
    c.addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
        .description("The same API key as `Authorization: Bearer <key>`."));
    c.addSecuritySchemes(ADMIN, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
        .description("The operator token (quotegate.admin.token) as `Authorization: Bearer <token>`."));

    c.addSchemas("InvalidParam", new ObjectSchema()
        .addProperty("name", new StringSchema().description("the parameter or body field, e.g. symbols[3], holdings[1].quantity"))
        .addProperty("reason", new StringSchema()));
    c.addSchemas("Problem", new ObjectSchema()
        .description("RFC 9457 problem details")
        .addProperty("type", new StringSchema().example("https://quotegate.dev/problems/invalid-request"))
        .addProperty("title", new StringSchema())
        .addProperty("status", new IntegerSchema())
        .addProperty("detail", new StringSchema())
        .addProperty("instance", new StringSchema().description("the request path"))
        .addProperty("code", new StringSchema().description("invalid-request, not-found, overloaded, upstream-unavailable, ..."))
        .addProperty("invalidParams", new ArraySchema().items(ref("InvalidParam"))));
    c.addSchemas("Quote", new ObjectSchema()
        .description("One quote with its freshness (docs/api.md)")
        .addProperty("symbol", new StringSchema().example("AAPL"))
        .addProperty("price", new NumberSchema())
        .addProperty("change", new NumberSchema())
        .addProperty("changePercent", new NumberSchema())
        .addProperty("open", new NumberSchema().description("left out when the provider sent zero"))
        .addProperty("high", new NumberSchema())
        .addProperty("low", new NumberSchema())
        .addProperty("previousClose", new NumberSchema())
        .addProperty("volume", new IntegerSchema().format("int64"))
        .addProperty("currency", new StringSchema().example("USD"))
        .addProperty("quotedIn", new StringSchema().description("the minor unit the provider quoted in (GBp), if any"))
        .addProperty("marketOpen", new BooleanSchema())
        .addProperty("asOf", new StringSchema().format("date-time").description("the provider's time of the price"))
        .addProperty("source", new StringSchema().description("the provider").example("sim"))
        .addProperty("fetchedAt", new StringSchema().format("date-time"))
        .addProperty("ageMs", new IntegerSchema().format("int64"))
        .addProperty("stale", new BooleanSchema().description("served past its freshness")));
    c.addSchemas("SymbolError", new ObjectSchema()
        .addProperty("symbol", new StringSchema())
        .addProperty("status", new IntegerSchema())
        .addProperty("code", new StringSchema().example("not-found"))
        .addProperty("detail", new StringSchema()));
    c.addSchemas("QuoteBatch", new ObjectSchema()
        .addProperty("asOf", new StringSchema().format("date-time"))
        .addProperty("requested", new IntegerSchema())
        .addProperty("quotes", new ArraySchema().items(ref("Quote")))
        .addProperty("errors", new ArraySchema().items(ref("SymbolError"))));
    c.addSchemas("Holding", new ObjectSchema()
        .addProperty("symbol", new StringSchema().example("AAPL"))
        .addProperty("quantity", new NumberSchema().description("non-zero, negative for a short; |quantity| at most 10^12, 8 decimals"))
        .addProperty("costBasis", new NumberSchema().description("per share, optional; at most 10^9, 8 decimals"))
        .required(List.of("symbol", "quantity")));
    c.addSchemas("PortfolioRequest", new ObjectSchema()
        .addProperty("holdings", new ArraySchema().items(ref("Holding")).maxItems(200))
        .required(List.of("holdings")));
    c.addSchemas("PerformanceRequest", new ObjectSchema()
        .description("docs/api.md, POST /api/v1/portfolio/performance")
        .addProperty("holdings", new ArraySchema().maxItems(200).items(new ObjectSchema()
            .addProperty("symbol", new StringSchema())
            .addProperty("quantity", new NumberSchema().description("held from the start; 0 when left out with trades"))
            .addProperty("trades", new ArraySchema().items(new ObjectSchema()
                .addProperty("date", new StringSchema().format("date"))
                .addProperty("quantity", new NumberSchema().description("positive bought, negative sold"))))))
        .addProperty("range", new StringSchema()._enum(List.of("1mo", "3mo", "6mo", "ytd", "1y", "2y", "5y"))._default("1y"))
        .addProperty("from", new StringSchema().format("date"))
        .addProperty("to", new StringSchema().format("date"))
        .addProperty("benchmark", new StringSchema()._default("SPY"))
        .required(List.of("holdings")));
    c.addSchemas("IngestRequest", new ObjectSchema()
        .addProperty("symbols", new ArraySchema().items(new StringSchema()))
        .addProperty("interval", new StringSchema().example("1d").description("default 1d"))
        .addProperty("range", new StringSchema().example("5y").description("or from/to"))
        .addProperty("from", new StringSchema())
        .addProperty("to", new StringSchema())
        .required(List.of("symbols")));

    problem(c, 400, "BadRequest", "a parameter or body field failed validation; invalidParams names each");
    problem(c, 401, "Unauthorized", "no valid API key (or admin token) where one is required");
    problem(c, 404, "NotFound", "unknown symbol, job or route");
    problem(c, 413, "ContentTooLarge", "a body over quotegate.web.max-body-size");
    problem(c, 415, "UnsupportedMediaType", "a body that is not UTF-8 application/json");
    c.addResponses("TooManyRequests", problemResponse("the client's rate limit is spent; Retry-After says when to retry")
        .addHeaderObject("Retry-After", responseHeader("seconds to wait")));
    c.addResponses("Unavailable", problemResponse("overloaded, or upstream unavailable with nothing cached; Retry-After set")
        .addHeaderObject("Retry-After", responseHeader("seconds to wait")));
    problem(c, 504, "UpstreamTimeout", "upstream did not answer in time and nothing is cached");
    return c;
  }

  private static void problem(Components c, int status, String name, String description) {
    c.addResponses(name, problemResponse(description));
  }

  private static ApiResponse problemResponse(String description) {
    return new ApiResponse().description(description)
        .content(new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(ref("Problem"))));
  }

  private static Schema<?> ref(String name) {
    return new Schema<>().$ref("#/components/schemas/" + name);
  }

  private static Header responseHeader(String description) {
    return new Header().description(description).schema(new StringSchema());
  }

  // --- the table ---------------------------------------------------------------------------------

  private static final Map<String, Supplier<Operation>> TABLE = new LinkedHashMap<>();

  private static void put(String route, Supplier<Operation> op) {
    TABLE.put(route, op);
  }

  private static final String SYMBOL = "1 to 16 ASCII characters of A-Z 0-9 . - =, optionally led by ^; case-insensitive";
  private static final String SYMBOLS = "comma-separated symbols (" + SYMBOL + ")";

  static {
    put("GET /api/v1/quotes/{symbol}", () -> doc("quotes", "One quote",
        "From the cache when fresh; else fetched (coalesced with concurrent requests), or stale with stale=true when upstream fails.")
        .path("symbol", SYMBOL).cached("the quote", ref("Quote")).problems(400, 404, 503, 504).operation("quote", null));
    put("GET /api/v1/quotes", () -> doc("quotes", "Several quotes",
        "Up to quotegate.quotes.max-symbols (100). One result per symbol: in quotes or in errors.")
        .query("symbols", true, new StringSchema(), SYMBOLS + "; duplicates removed, order kept")
        .cached("quotes and per-symbol errors", ref("QuoteBatch")).problems(400, 503, 504).operation("quotes", null));

    put("GET /api/v1/stream/quotes", () -> doc("streams", "Live quotes (Server-Sent Events)",
        "A snapshot of every symbol, then conflated updates, heartbeats and event ids; resume with Last-Event-ID. docs/streams.md.")
        .query("symbols", true, new StringSchema(), SYMBOLS)
        .query("lastEventId", false, new StringSchema(), "for clients that cannot send the Last-Event-ID header")
        .header("Last-Event-ID", "the id of the last event received, to resume")
        .ok("text/event-stream", "the event stream", new StringSchema())
        .problems(400, 503).operation("streamQuotes", null));
    put("GET /api/v1/stream/ws", () -> doc("streams", "Live quotes (WebSocket)",
        "Upgrade to a WebSocket; messages {\"type\":\"subscribe\"|\"unsubscribe\",\"symbols\":[...]} in, quote batches out.")
        .query("symbols", false, new StringSchema(), "symbols to subscribe to at once")
        .status(101, "switching protocols").problems(400, 503).operation("streamWebSocket", null));

    put("GET /api/v1/history/{symbol}", () -> doc("history", "OHLCV bars",
        "Stored bars, gaps backfilled from a provider. More than quotegate.history.max-bars (5000) bars is a 400. docs/history.md.")
        .path("symbol", SYMBOL).window().cached("the series").problems(400, 404, 503, 504).operation("history", null));
    put("GET /api/v1/charts/{symbol}", () -> doc("history", "Several chart periods",
        "Every period in one call, each with the interval its chart needs.")
        .path("symbol", SYMBOL)
        .query("periods", false, new StringSchema().example("1D,5D,1M,6M,1Y,5Y"),
            "comma-separated of 1D, 5D, 1M, 3M, 6M, YTD, 1Y, 2Y, 5Y, 10Y, MAX; default 1D,5D,1M,6M,1Y,5Y")
        .cached("the periods").problems(400, 404, 503, 504).operation("charts", null));
    put("GET /api/v1/indicators/{symbol}", () -> doc("history", "Technical indicators",
        "SMA, EMA, RSI, MACD, Bollinger bands and VWAP over the bars of a window.")
        .path("symbol", SYMBOL).window()
        .query("sma", false, new StringSchema().example("20,50"), "periods, 1 to 8 in [1, 1000]")
        .query("ema", false, new StringSchema().example("12"), "periods, 1 to 8 in [1, 1000]")
        .query("rsi", false, new StringSchema().example("14"), "periods in [2, 1000]")
        .query("macd", false, new StringSchema().example("12,26,9"), "fast,slow,signal; alone: 12,26,9")
        .query("bollinger", false, new StringSchema().example("20,2"), "period,k; alone: 20,2")
        .query("vwap", false, new StringSchema(), "present (no value) to compute VWAP")
        .cached("the indicators").problems(400, 404, 503, 504).operation("indicators", null));

    put("GET /api/v1/profiles/{symbol}", () -> doc("market", "Company profile", "Cached 6 h.")
        .path("symbol", SYMBOL).cached("the profile").problems(400, 404, 503, 504).operation("profile", null));
    put("GET /api/v1/news/{symbol}", () -> doc("market", "Recent news", "Newest first; cached 5 min.")
        .path("symbol", SYMBOL).limit(50, 10).cached("the articles").problems(400, 404, 503, 504).operation("news", null));
    put("GET /api/v1/search", () -> doc("market", "Symbol search", "Symbol prefix first, then name.")
        .query("q", true, new StringSchema().minLength(1).maxLength(64), "the text to look for")
        .limit(25, 10).cached("the hits").problems(400, 503, 504).operation("search", null));
    put("GET /api/v1/movers", () -> doc("market", "Top movers",
        "Over the provider's universe, by change % (gainers, losers) or volume (active); coverage says how much had a quote.")
        .query("type", false, new StringSchema()._enum(List.of("gainers", "losers", "active"))._default("gainers"), "the ranking")
        .limit(100, 10).cached("the movers").problems(400, 503, 504).operation("movers", null));
    put("GET /api/v1/sectors", () -> doc("market", "Sector statistics",
        "Equal-weighted per sector over the movers' snapshot: advancers, decliners, average and median change %, volume, best and worst.")
        .cached("the sectors").problems(503, 504).operation("sectors", null));

    put("GET /api/v1/news", () -> doc("market", "News of several symbols, merged",
        "Each symbol's news through its cache, de-duplicated by id, newest first, paged by cursor.")
        .query("symbols", true, new StringSchema(), SYMBOLS + "; at most quotegate.market.max-news-symbols (20)")
        .limit(50, 10).query("cursor", false, new StringSchema(), "nextCursor of the previous page")
        .cached("a page of articles").problems(400, 503, 504).operation("newsMerged", null));
    put("GET /api/v1/signals", () -> doc("market", "Technical signals of a watchlist",
        "RSI, MACD, SMA cross, Bollinger and volume signals that fired within the last bars, per symbol.")
        .query("symbols", true, new StringSchema(), SYMBOLS + "; at most quotegate.signals.max-symbols (50)")
        .cached("the signals per symbol").problems(400, 503, 504).operation("signals", null));
    put("GET /api/v1/dashboard", () -> doc("market", "What a dashboard paints first",
        "Market status, index quotes, the watchlist's quotes, movers and sectors in one call; not cacheable (no-cache).")
        .query("symbols", false, new StringSchema(), SYMBOLS + "; the watchlist, at most 50")
        .json("the summary", new ObjectSchema()).problems(400, 503, 504).operation("dashboardSummary", null));
    put("POST /api/v1/portfolio/performance", () -> doc("portfolio", "Performance of holdings",
        "Time-weighted return, volatility, Sharpe, Sortino, beta and drawdown over a range against a benchmark, "
            + "from daily bars.")
        .body("PerformanceRequest").json("the performance", new ObjectSchema())
        .problems(400, 413, 415, 503, 504).operation("portfolioPerformance", null));
    put("POST /api/v1/admin/history/ingest/{id}/resume", () -> doc("admin", "Resume a bulk history load",
        "Goes on from where a stopped job left off.")
        .path("id", "the job id").json("the job", new ObjectSchema()).problems(401, 404).operation("ingestResume", ADMIN));
    put("POST /api/v1/portfolio/valuation", () -> doc("portfolio", "Value holdings",
        "At current prices, totals per currency; positions without a price in unpriced. At most 200 holdings.")
        .body("PortfolioRequest").json("the valuation", new ObjectSchema())
        .problems(400, 413, 415, 503, 504).operation("portfolioValuation", null));

    put("GET /api/v1/admin/cache", () -> doc("admin", "Cache statistics", "Hit rates and sizes by tier and kind.")
        .json("the statistics", new ObjectSchema()).problems(401, 404).operation("cacheStats", ADMIN));
    put("DELETE /api/v1/admin/cache", () -> doc("admin", "Evict cache entries", "By kind and key pattern, from one tier or both.")
        .query("kind", true, new StringSchema(), "the cache kind (quote, profile, news, search, ...)")
        .query("pattern", true, new StringSchema().example("AAP*"), "1-64 characters, wildcards * and ?")
        .query("tier", false, new StringSchema()._enum(List.of("all", "l1", "l2"))._default("all"), "the tier")
        .json("what was evicted", new ObjectSchema()).problems(400, 401, 404).operation("cacheEvict", ADMIN));
    put("POST /api/v1/admin/history/ingest", () -> doc("admin", "Start a bulk history load", "Runs in the background; answers the job.")
        .body("IngestRequest").status(202, "the job, accepted").problems(400, 401, 404, 413, 415, 503).operation("ingestSubmit", ADMIN));
    put("GET /api/v1/admin/history/ingest", () -> doc("admin", "Bulk history loads", "Every job this instance knows.")
        .json("the jobs", new ObjectSchema()).problems(401, 404).operation("ingestList", ADMIN));
    put("GET /api/v1/admin/history/ingest/{id}", () -> doc("admin", "One bulk history load", "Its progress.")
        .path("id", "the job id").json("the job", new ObjectSchema()).problems(401, 404).operation("ingestStatus", ADMIN));
    put("DELETE /api/v1/admin/history/ingest/{id}", () -> doc("admin", "Cancel a bulk history load", "Stops it; what is stored stays.")
        .path("id", "the job id").json("the job", new ObjectSchema()).problems(401, 404).operation("ingestCancel", ADMIN));

    put("GET /", () -> doc("dashboard", "The dashboard page", "HTML; docs/dashboard.md.").page("text/html").operation("page", ""));
    put("GET /ops", () -> doc("dashboard", "The operations view", "HTML; docs/dashboard.md.").page("text/html").operation("opsPage", ""));
    put("GET /assets/**", () -> doc("dashboard", "A file of the page", "Scripts, styles and the chart library, from memory.")
        .path("path", "the file's path under /assets/").page("*/*").problems(404).operation("asset", ""));
    put("GET /dashboard/features", () -> doc("dashboard", "The API routes this gateway has",
        "Read by the page instead of probing; admin routes left out.")
        .json("{routes, admin}", new ObjectSchema()
            .addProperty("routes", new ArraySchema().items(new StringSchema()))
            .addProperty("admin", new BooleanSchema()))
        .operation("dashboardFeatures", ""));
    put("GET /swagger-ui.html", () -> doc("dashboard", "The OpenAPI UI", "A redirect to /swagger-ui/index.html.")
        .status(302, "to the UI's page").operation("apiDocsUi", ""));
    put("GET /swagger-ui/{file}", () -> doc("dashboard", "A file of the OpenAPI UI", "Swagger UI from its WebJar, from memory.")
        .path("file", "the file's name").page("*/*").problems(404).operation("apiDocsUiFile", ""));
  }

  private static Doc doc(String tag, String summary, String description) {
    return new Doc(tag, summary, description);
  }

  /** A small builder of one operation: the table above reads as a list. */
  private static final class Doc {
    private final Operation op = new Operation();
    private final ApiResponses responses = new ApiResponses();
    private final List<Parameter> params = new ArrayList<>();

    Doc(String tag, String summary, String description) {
      op.addTagsItem(tag).summary(summary).description(description);
    }

    Doc path(String name, String description) {
      params.add(new Parameter().in("path").name(name).required(true).description(description).schema(new StringSchema()));
      return this;
    }

    Doc query(String name, boolean required, Schema<?> schema, String description) {
      params.add(new Parameter().in("query").name(name).required(required).description(description).schema(schema));
      return this;
    }

    Doc header(String name, String description) {
      params.add(new Parameter().in("header").name(name).required(false).description(description).schema(new StringSchema()));
      return this;
    }

    Doc limit(int max, int dflt) {
      return query("limit", false, new IntegerSchema().minimum(java.math.BigDecimal.ONE)
          .maximum(java.math.BigDecimal.valueOf(max))._default(dflt), "how many, 1 to " + max);
    }

    /** {@code interval}, {@code range} or {@code from}/{@code to}. */
    Doc window() {
      return query("interval", false, new StringSchema()._enum(List.of("1m", "5m", "15m", "1h", "1d", "1wk")),
              "bar interval; default the range's chart interval (1d with from/to)")
          .query("range", false, new StringSchema().example("1y"),
              "1d, 5d, 1mo, 3mo, 6mo, ytd, 1y, 2y, 5y, 10y or max; not with from/to")
          .query("from", false, new StringSchema(), "epoch seconds, ISO-8601 date-time with offset, or a date (midnight New York)")
          .query("to", false, new StringSchema(), "exclusive, as from; default now");
    }

    Doc body(String schema) {
      op.requestBody(new RequestBody().required(true)
          .content(new Content().addMediaType("application/json", new MediaType().schema(ref(schema)))));
      return this;
    }

    /** 200 JSON with the caching headers, and 304 for a matching If-None-Match. */
    Doc cached(String description) {
      return cached(description, new ObjectSchema());
    }

    Doc cached(String description, Schema<?> schema) {
      params.add(new Parameter().in("header").name("If-None-Match").required(false)
          .description("an ETag from an earlier answer (either variant, identity or gzip), for a 304")
          .schema(new StringSchema()));
      ApiResponse ok = new ApiResponse().description(description)
          .content(new Content().addMediaType("application/json", new MediaType().schema(schema)));
      cachingHeaders(ok);
      responses.addApiResponse("200", ok);
      ApiResponse notModified = new ApiResponse().description("not modified: If-None-Match matched the current ETag");
      cachingHeaders(notModified);
      responses.addApiResponse("304", notModified);
      return this;
    }

    private static void cachingHeaders(ApiResponse r) {
      r.addHeaderObject("ETag", responseHeader("weak validator; the gzip variant's ends in -gzip inside the quotes"));
      r.addHeaderObject("Cache-Control", responseHeader("public, max-age=<freshness left>, or no-cache when stale or partial"));
      r.addHeaderObject("Server-Timing", responseHeader("cache;desc=hit|miss|..., upstream;dur=<ms>, total;dur=<ms>"));
    }

    Doc json(String description, Schema<?> schema) {
      responses.addApiResponse("200", new ApiResponse().description(description)
          .content(new Content().addMediaType("application/json", new MediaType().schema(schema))));
      return this;
    }

    Doc text(String description) {
      responses.addApiResponse("200", new ApiResponse().description(description)
          .content(new Content().addMediaType("text/plain", new MediaType().schema(new StringSchema()))));
      return this;
    }

    Doc ok(String mediaType, String description, Schema<?> schema) {
      responses.addApiResponse("200", new ApiResponse().description(description)
          .content(new Content().addMediaType(mediaType, new MediaType().schema(schema))));
      return this;
    }

    Doc page(String mediaType) {
      ApiResponse ok = new ApiResponse().description("the file")
          .content(new Content().addMediaType(mediaType, new MediaType().schema(new StringSchema())));
      ok.addHeaderObject("ETag", responseHeader("strong validator; the gzip copy has its own"));
      responses.addApiResponse("200", ok);
      responses.addApiResponse("304", new ApiResponse().description("not modified"));
      return this;
    }

    Doc status(int status, String description) {
      responses.addApiResponse(String.valueOf(status), new ApiResponse().description(description));
      return this;
    }

    Doc problems(int... statuses) {
      for (int s : statuses) {
        String name = switch (s) {
          case 400 -> "BadRequest";
          case 401 -> "Unauthorized";
          case 404 -> "NotFound";
          case 413 -> "ContentTooLarge";
          case 415 -> "UnsupportedMediaType";
          case 503 -> "Unavailable";
          case 504 -> "UpstreamTimeout";
          default -> throw new IllegalArgumentException("no problem response for " + s);
        };
        responses.addApiResponse(String.valueOf(s), new ApiResponse().$ref("#/components/responses/" + name));
      }
      return this;
    }

    /**
     * The operation. {@code security}: null for the document's default (anonymous or an API
     * key), a scheme name for that scheme alone, "" for none (the page's files).
     */
    Operation operation(String operationId, String security) {
      op.operationId(operationId);
      if (security == null) {
        if (!op.getTags().contains("operations")) {
          responses.addApiResponse("401", new ApiResponse().$ref("#/components/responses/Unauthorized"));
          responses.addApiResponse("429", new ApiResponse().$ref("#/components/responses/TooManyRequests"));
        }
      } else if (security.isEmpty()) {
        op.security(List.of(new SecurityRequirement()));
      } else {
        op.security(List.of(new SecurityRequirement().addList(security)));
        responses.addApiResponse("429", new ApiResponse().$ref("#/components/responses/TooManyRequests"));
      }
      if (!params.isEmpty()) {
        op.parameters(params);
      }
      op.responses(responses);
      return op;
    }
  }
}
