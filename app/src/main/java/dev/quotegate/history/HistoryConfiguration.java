package dev.quotegate.history;

import dev.quotegate.access.AdminAccess;
import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.BarSchedule;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.web.JsonBodies;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The history feature: database and migrations, store, service, bulk ingestion, routes, health. */
@Configuration(proxyBeanMethods = false)
class HistoryConfiguration {

  private static final Logger log = LoggerFactory.getLogger(HistoryConfiguration.class);

  /**
   * The database, migrated before the web server starts (this runs on the starting thread,
   * not an event loop). If it is down, the gateway starts without it and retries.
   */
  @Bean(destroyMethod = "close")
  HistoryDatabase historyDatabase(HistoryProperties props, MeterRegistry registry) {
    HistoryDatabase db = HistoryDatabase.create(props, registry);
    if (!db.migrate()) {
      db.retryMigrationEvery(props.migrationRetryInterval());
    }
    return db;
  }

  @Bean
  R2dbcHistoryStore historyStore(
      HistoryDatabase db, HistoryProperties props, IngestProperties ingest, Clock clock, MeterRegistry registry) {
    return new R2dbcHistoryStore(db, props, ingest, clock, registry);
  }

  /** Bars fetched while the database is down: held, served, written when it is back. */
  @Bean
  UnstoredBars historyUnstoredBars(R2dbcHistoryStore store, HistoryCacheProperties cacheProps, MeterRegistry registry) {
    return new UnstoredBars(store, cacheProps, registry);
  }

  @Bean
  HistoryService historyService(
      R2dbcHistoryStore store, ProviderRouter router, HistoryProperties props, HistoryCacheProperties cacheProps,
      UnstoredBars unstored, Clock clock, MeterRegistry registry) {
    return new HistoryService(store, router, new BarSchedule(MarketCalendar.nyse()), props, cacheProps, unstored,
        clock, registry);
  }

  @Bean
  IngestJobs historyIngestJobs(
      HistoryService service, R2dbcHistoryStore store, HistoryDatabase db, HistoryProperties props,
      IngestProperties ingest, Clock clock, MeterRegistry registry) {
    return new IngestJobs(service, store, new IngestJobStore(db, props.queryTimeout()), props, ingest, clock, registry);
  }

  /** Health component {@code history}. */
  @Bean
  HistoryHealth historyHealthIndicator(R2dbcHistoryStore store) {
    return new HistoryHealth(store);
  }

  @Bean
  RouterFunction<ServerResponse> historyRoutes(
      HistoryService service, HistoryProperties props, Clock clock, tools.jackson.databind.json.JsonMapper json) {
    HistoryHandler handler = new HistoryHandler(service, props, clock, json);
    return RouterFunctions.route()
        .GET("/api/v1/history/{symbol}", handler::history)
        .GET("/api/v1/charts/{symbol}", handler::charts)
        .GET("/api/v1/indicators/{symbol}", handler::indicators)
        .build();
  }

  /** Operator routes of bulk ingestion, authorised on the matched route ({@link AdminAccess}). */
  @Bean
  RouterFunction<ServerResponse> historyAdminRoutes(
      IngestJobs jobs, HistoryService service, HistoryProperties props, IngestProperties ingestProps, Clock clock,
      AdminAccess admin, JsonBodies bodies) {
    IngestHandler ingest = new IngestHandler(jobs, service, props, ingestProps, clock, bodies);
    return RouterFunctions.route()
        .POST("/api/v1/admin/history/ingest", ingest::submit)
        .GET("/api/v1/admin/history/ingest", ingest::list)
        .GET("/api/v1/admin/history/ingest/{id}", ingest::status)
        .DELETE("/api/v1/admin/history/ingest/{id}", ingest::cancel)
        .POST("/api/v1/admin/history/ingest/{id}/resume", ingest::resume)
        .filter(admin)
        .build();
  }
}
