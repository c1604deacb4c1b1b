package dev.quotegate.testsupport;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.UUID;

/**
 * A key prefix unique to one test run, so parallel builds and reruns sharing the Redis at
 * localhost never see each other's keys, and a cleanup that deletes only that prefix (SCAN,
 * never FLUSHALL).
 */
public final class RedisKeys implements AutoCloseable {

  public static final String LOCAL_URL = "redis://127.0.0.1:6379";

  private final String prefix = "qgtest-" + UUID.randomUUID().toString().substring(0, 8);
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  public RedisKeys(String url) {
    this.client = RedisClient.create(url);
    this.connection = client.connect();
  }

  public RedisKeys() {
    this(LOCAL_URL);
  }

  public String prefix() {
    return prefix;
  }

  /** A synchronous client for assertions (test threads only). */
  public RedisCommands<String, String> sync() {
    return connection.sync();
  }

  /** Keys under this run's prefix. */
  public long count() {
    long n = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = sync().scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
      n += page.getKeys().size();
      cursor = page;
    } while (!cursor.isFinished());
    return n;
  }

  /** Deletes this run's keys only. */
  @Override
  public void close() {
    try {
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = sync().scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
        if (!page.getKeys().isEmpty()) {
          sync().unlink(page.getKeys().toArray(new String[0]));
        }
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      connection.close();
      client.shutdown();
    }
  }
}
