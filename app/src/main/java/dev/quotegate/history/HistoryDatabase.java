package dev.quotegate.history;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.h2.H2ConnectionConfiguration;
import io.r2dbc.h2.H2ConnectionFactory;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.pool.PoolMetrics;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The bar store's database: the bounded R2DBC connection pool (PostgreSQL from
 * {@code quotegate.history.db-url}, else an embedded H2 file under {@code data-dir}) and its
 * Flyway migrations, run over the JDBC twin of the URL.
 *
 * <p>Migrations run once when the application starts, on the starting thread, before the
 * web server takes traffic: blocking JDBC there is fine (no event loop is involved). When the
 * database is down at start-up the gateway starts anyway (history is then served from the
 * provider, not stored) and migrations are retried in the background, on a bounded-elastic
 * thread, until they succeed; the loop is owned and disposed by this object.
 *
 * <p>The embedded H2 driver does its file I/O on the calling thread, so every H2 operation is
 * moved to a dedicated bounded scheduler ({@link #scheduler()}); the PostgreSQL driver is
 * non-blocking and runs on the event loop.
 */
final class HistoryDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HistoryDatabase.class);

  /** SQL spoken by the store. */
  enum Dialect {
    POSTGRES("PostgreSQL"),
    H2("H2");

    final String label;

    Dialect(String label) {
      this.label = label;
    }
  }

  private final ConnectionPool pool;
  private final Dialect dialect;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String schema;
  private final String description;
  private final Scheduler scheduler;
  private final Scheduler ownScheduler;
  private final AtomicBoolean migrated = new AtomicBoolean();
  private final AtomicReference<String> migrationError = new AtomicReference<>();
  private final AtomicReference<Disposable> retryLoop = new AtomicReference<>();
  private final Counter migrationFailures;

  private HistoryDatabase(
      ConnectionFactory factory,
      Dialect dialect,
      String jdbcUrl,
      String user,
      String password,
      String description,
      HistoryProperties props,
      MeterRegistry registry) {
    this.dialect = dialect;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.schema = props.dbSchema() == null || props.dbSchema().isBlank() ? null : props.dbSchema();
    this.description = description;
    if (dialect == Dialect.H2) {
      // One thread per connection at most: H2 work never queues behind a busy event loop.
      this.ownScheduler =
          Schedulers.newBoundedElastic(props.poolMaxSize(), props.poolMaxPending(), "history-h2");
      this.scheduler = ownScheduler;
    } else {
      this.ownScheduler = null;
      this.scheduler = Schedulers.immediate();
    }
    ConnectionPoolConfiguration.Builder pc =
        ConnectionPoolConfiguration.builder(factory)
            .name("history")
            .initialSize(Math.min(props.poolInitialSize(), props.poolMaxSize()))
            .maxSize(props.poolMaxSize())
            .maxAcquireTime(props.poolAcquireTimeout())
            .maxCreateConnectionTime(props.connectTimeout())
            .maxIdleTime(props.poolMaxIdleTime())
            .maxValidationTime(props.connectTimeout())
            .customizer(b -> b.maxPendingAcquire(props.poolMaxPending()));
    if (ownScheduler != null) {
      pc.allocatorSubscribeOn(ownScheduler);
    }
    this.pool = new ConnectionPool(pc.build());
    this.migrationFailures =
        Counter.builder(HistoryMeters.MIGRATION_FAILURES)
            .description("Schema migration attempts that failed (database down at start-up)")
            .register(registry);
    PoolMetrics metrics = pool.getMetrics().orElse(null);
    if (metrics != null) {
      poolGauge(registry, "acquired", metrics, PoolMetrics::acquiredSize);
      poolGauge(registry, "idle", metrics, PoolMetrics::idleSize);
      poolGauge(registry, "allocated", metrics, PoolMetrics::allocatedSize);
      poolGauge(registry, "pending", metrics, PoolMetrics::pendingAcquireSize);
      Gauge.builder(HistoryMeters.POOL_MAX, metrics, PoolMetrics::getMaxAllocatedSize)
          .description("Bound on open database connections")
          .register(registry);
      Gauge.builder(HistoryMeters.POOL_PENDING_MAX, metrics, PoolMetrics::getMaxPendingAcquireSize)
          .description("Bound on callers waiting for a database connection")
          .register(registry);
    }
  }

  private static void poolGauge(MeterRegistry registry, String state, PoolMetrics m, ToDoubleFunction<PoolMetrics> f) {
    Gauge.builder(HistoryMeters.POOL_CONNECTIONS, m, f)
        .description("Database connections of the history pool by state")
        .tag("state", state)
        .register(registry);
  }

  /** Opens the pool for {@code props}: PostgreSQL from its URL, else the embedded H2 file. */
  static HistoryDatabase create(HistoryProperties props, MeterRegistry registry) {
    if (props.embedded()) {
      Path dir = props.dataDir().toAbsolutePath().normalize();
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create quotegate.history.data-dir " + dir, e);
      }
      String file = dir.resolve("history").toString();
      H2ConnectionFactory h2 =
          new H2ConnectionFactory(H2ConnectionConfiguration.builder().file(file).username("sa").password("").build());
      return new HistoryDatabase(h2, Dialect.H2, "jdbc:h2:file:" + file, "sa", "", "H2 file " + file + ".mv.db", props, registry);
    }
    String url = props.dbUrl().trim();
    if (url.startsWith("r2dbc:pool:")) {
      // The gateway pools connections itself: drop the driver-level pool.
      url = "r2dbc:" + url.substring("r2dbc:pool:".length());
    }
    ConnectionFactoryOptions options;
    try {
      options = ConnectionFactoryOptions.parse(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("quotegate.history.db-url is not an R2DBC URL: " + HistoryProperties.redact(url));
    }
    Object driver = options.getValue(ConnectionFactoryOptions.DRIVER);
    if (!"postgresql".equals(driver)) {
      throw new IllegalStateException(
          "quotegate.history.db-url: only r2dbc:postgresql://host:port/database is supported (got driver "
              + driver + "); leave it empty for the embedded H2 database");
    }
    Object host = options.getValue(ConnectionFactoryOptions.HOST);
    Object port = options.getValue(ConnectionFactoryOptions.PORT);
    Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
    if (host == null || database == null) {
      throw new IllegalStateException("quotegate.history.db-url needs a host and a database: " + HistoryProperties.redact(url));
    }
    String user = props.dbUsername() != null ? props.dbUsername() : str(options.getValue(ConnectionFactoryOptions.USER));
    String password = props.dbPassword() != null ? props.dbPassword() : str(options.getValue(ConnectionFactoryOptions.PASSWORD));
    ConnectionFactoryOptions.Builder b = options.mutate().option(ConnectionFactoryOptions.CONNECT_TIMEOUT, props.connectTimeout());
    if (user != null) {
      b.option(ConnectionFactoryOptions.USER, user);
    }
    if (password != null) {
      b.option(ConnectionFactoryOptions.PASSWORD, password);
    }
    String hostPort = host + ":" + (port != null ? port : 5432);
    String jdbc = "jdbc:postgresql://" + hostPort + "/" + database;
    return new HistoryDatabase(
        ConnectionFactories.get(b.build()), Dialect.POSTGRES, jdbc, user, password,
        "PostgreSQL " + hostPort + "/" + database, props, registry);
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  ConnectionPool pool() {
    return pool;
  }

  Dialect dialect() {
    return dialect;
  }

  /** Where database work runs: a bounded scheduler for embedded H2, the caller's thread else. */
  Scheduler scheduler() {
    return scheduler;
  }

  /** The bars table, schema-qualified when a schema is configured. */
  String table() {
    return table("bars");
  }

  /** Table {@code name}, schema-qualified when a schema is configured. */
  String table(String name) {
    return schema == null ? name : schema + "." + name;
  }

  /**
   * Runs {@code work} on one pooled connection inside a transaction: committed when it
   * completes, rolled back when it fails or is cancelled (a job disposed mid-write leaves
   * nothing half-written). Subscribed on {@link #scheduler()}.
   */
  <T> Mono<T> inTransaction(java.util.function.Function<io.r2dbc.spi.Connection, Mono<T>> work) {
    return Mono.usingWhen(
            pool.create(),
            c -> Mono.from(c.beginTransaction()).then(work.apply(c)),
            c -> Mono.from(c.commitTransaction()).then(Mono.from(c.close())),
            (c, e) -> rollbackAndClose(c),
            HistoryDatabase::rollbackAndClose)
        .subscribeOn(scheduler);
  }

  private static Mono<Void> rollbackAndClose(io.r2dbc.spi.Connection c) {
    return Mono.from(c.rollbackTransaction())
        .onErrorResume(e -> Mono.empty()) // the connection may be gone: closing it is what matters
        .then(Mono.from(c.close()));
  }

  /** What the database is, for logs and health (no credentials). */
  String description() {
    return description;
  }

  boolean migrated() {
    return migrated.get();
  }

  /** Why the last migration attempt failed, or null. */
  String migrationError() {
    return migrationError.get();
  }

  /**
   * Runs the migrations over JDBC. Blocking: call it on the starting thread or a
   * bounded-elastic one, never on an event loop. Returns whether the schema is ready.
   */
  boolean migrate() {
    if (migrated.get()) {
      return true;
    }
    try {
      FluentConfiguration conf =
          Flyway.configure()
              .dataSource(jdbcUrl, user, password)
              .locations("classpath:db/migration")
              .connectRetries(0)
              .loggers("slf4j");
      if (schema != null) {
        conf.schemas(schema).defaultSchema(schema).createSchemas(true);
      }
      var result = conf.load().migrate();
      migrated.set(true);
      migrationError.set(null);
      log.info("history database {}: schema at version {} ({} migrations applied)",
          description, result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
          result.migrationsExecuted);
      return true;
    } catch (RuntimeException e) {
      migrationFailures.increment();
      String why = rootMessage(e);
      migrationError.set(why);
      log.warn("history database {} is not available, history is served from the provider and not stored: {}",
          description, why);
      return false;
    }
  }

  /**
   * Retries {@link #migrate()} every {@code interval} on a bounded-elastic thread until it
   * succeeds. Idempotent; stopped by {@link #close()}.
   */
  void retryMigrationEvery(Duration interval) {
    if (migrated.get()) {
      return;
    }
    Disposable loop =
        Flux.interval(interval, interval, Schedulers.boundedElastic())
            .onBackpressureDrop() // a slow attempt skips ticks instead of ending the loop
            .concatMap(tick -> Mono.fromCallable(this::migrate).subscribeOn(Schedulers.boundedElastic()))
            .takeUntil(ok -> ok)
            .subscribe(
                ok -> {},
                e -> log.error("history migration retry loop ended unexpectedly", e));
    Disposable previous = retryLoop.getAndSet(loop);
    if (previous != null) {
      previous.dispose();
    }
  }

  @Override
  public void close() {
    Disposable loop = retryLoop.getAndSet(null);
    if (loop != null) {
      loop.dispose();
    }
    pool.dispose(); // closes idle connections; runs on the shutdown thread
    if (ownScheduler != null) {
      ownScheduler.dispose();
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = Objects.requireNonNull(e);
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
