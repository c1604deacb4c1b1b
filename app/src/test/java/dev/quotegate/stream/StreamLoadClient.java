package dev.quotegate.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The client side of the out-of-process stream benchmark: its own JVM, N SSE or WebSocket
 * connections to one URI, each from one of several loopback source addresses (127.0.1.1-8, so
 * a step never runs out of ephemeral ports). Latency is receipt time minus each quote's
 * {@code fetchedAt} (found by a byte scan, not a JSON parse, so the client spends little CPU
 * per quote), counted in 1 ms buckets.
 *
 * <p>Protocol on stdout/stdin with the runner: {@code RECEIVING <n> <failed>} once every
 * connection got a quote (or after the warm-up timeout); then it waits for a line {@code GO}
 * (the runner measures the server's heap meanwhile), waits {@link #SETTLE_SECONDS}, measures for
 * {@code --measure} seconds
 * and prints {@code RESULT} with the figures, closes everything and exits. Not a test.
 */
public final class StreamLoadClient {

  private static final byte[] FETCHED_AT = "\"fetchedAt\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_MS = 120_000;
  /** SSE streams per h2c connection with {@code --h2c} (browsers open about 100 per origin). */
  static final int STREAMS_PER_CONNECTION = 100;
  /** Seconds between GO and the measure window. */
  static final int SETTLE_SECONDS = 5;

  public static void main(String[] args) throws Exception {
    String uri = null;
    int n = 1000;
    int measure = 15;
    int warmup = 90;
    boolean ws = false;
    boolean h2c = false;
    for (String a : args) {
      if (a.startsWith("--uri=")) {
        uri = a.substring(6);
      } else if (a.startsWith("--connections=")) {
        n = Integer.parseInt(a.substring(14));
      } else if (a.startsWith("--measure=")) {
        measure = Integer.parseInt(a.substring(10));
      } else if (a.startsWith("--warmup-timeout=")) {
        warmup = Integer.parseInt(a.substring(17));
      } else if (a.equals("--ws")) {
        ws = true;
      } else if (a.equals("--h2c")) {
        h2c = true;
      }
    }
    if (uri == null) {
      System.err.println("usage: --uri=http://127.0.0.1:P/path [--ws] --connections=N --measure=S");
      System.exit(2);
    }
    AtomicLongArray buckets = new AtomicLongArray(MAX_MS + 1);
    AtomicIntegerArray got = new AtomicIntegerArray(n);
    AtomicIntegerArray gotInWindow = new AtomicIntegerArray(n);
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger measuring = new AtomicInteger();
    HttpClient[] clients = new HttpClient[8];
    for (int i = 0; i < clients.length; i++) {
      String source = "127.0.1." + (i + 1);
      if (h2c) {
        // SSE streams multiplexed, STREAMS_PER_CONNECTION per h2c connection (prior knowledge).
        int connections = Math.max(1, (n / clients.length + STREAMS_PER_CONNECTION - 1) / STREAMS_PER_CONNECTION);
        ConnectionProvider pool = ConnectionProvider.builder("bench-h2c-" + i)
            .maxConnections(connections)
            .pendingAcquireMaxCount(-1)
            .pendingAcquireTimeout(Duration.ofSeconds(120))
            .allocationStrategy(Http2AllocationStrategy.builder()
                .maxConcurrentStreams(STREAMS_PER_CONNECTION).maxConnections(connections).minConnections(1).build())
            .build();
        clients[i] = HttpClient.create(pool).protocol(HttpProtocol.H2C)
            .bindAddress(() -> new InetSocketAddress(source, 0))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
      } else {
        clients[i] = HttpClient.newConnection()
            .bindAddress(() -> new InetSocketAddress(source, 0))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
      }
    }
    Disposable.Composite all = Disposables.composite();
    for (int i = 0; i < n; i++) {
      int id = i;
      Scanner scanner = new Scanner(buckets, measuring);
      HttpClient c = clients[i % clients.length];
      reactor.core.publisher.Flux<ByteBuf> body = ws
          ? c.websocket().uri(uri.replaceFirst("^http", "ws")).handle((in, out) -> in.receive())
          : c.headers(h -> h.set("Accept", "text/event-stream")).get().uri(uri).responseContent();
      all.add(body.subscribe(buf -> {
        if (scanner.scan(buf) > 0) {
          got.incrementAndGet(id);
          if (measuring.get() == 1) {
            gotInWindow.incrementAndGet(id);
          }
        }
      }, e -> failed.incrementAndGet()));
      if (i % 250 == 249) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // about 5,000 connections a second
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
    while (System.nanoTime() < deadline && count(got) + failed.get() < n) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    System.out.println("RECEIVING " + count(got) + " " + failed.get());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("GO")) {
      // wait for the runner
    }
    // A few rounds to settle (the JIT compiles the server's paths for this step's load).
    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(SETTLE_SECONDS));
    for (int i = 0; i < MAX_MS + 1; i++) {
      buckets.set(i, 0); // only the window counts
    }
    measuring.set(1);
    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(measure));
    measuring.set(0);
    long samples = 0;
    long[] copy = new long[MAX_MS + 1];
    for (int i = 0; i <= MAX_MS; i++) {
      copy[i] = buckets.get(i);
      samples += copy[i];
    }
    System.out.println(String.format(Locale.ROOT,
        "RESULT open=%d receivingInWindow=%d failed=%d samples=%d p50=%d p99=%d max=%d perConnPerSec=%.2f",
        n - failed.get(), count(gotInWindow), failed.get(), samples, pct(copy, samples, 0.50), pct(copy, samples, 0.99),
        pct(copy, samples, 1.0), samples / (double) n / measure));
    System.out.flush();
    all.dispose();
    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
    System.exit(0);
  }

  private static int count(AtomicIntegerArray a) {
    int c = 0;
    for (int i = 0; i < a.length(); i++) {
      if (a.get(i) > 0) {
        c++;
      }
    }
    return c;
  }

  private static long pct(long[] buckets, long samples, double q) {
    if (samples == 0) {
      return -1;
    }
    long rank = q >= 1.0 ? samples : (long) Math.ceil(samples * q);
    long seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (seen >= rank) {
        return i;
      }
    }
    return buckets.length - 1;
  }

  /**
   * Finds {@code "fetchedAt":"<ISO instant>"} in a connection's bytes (events may be split
   * across chunks: the unmatched tail of a chunk is kept) and counts now minus that instant.
   */
  static final class Scanner {
    private final AtomicLongArray buckets;
    private final AtomicInteger measuring;
    private final byte[] carry = new byte[64];
    private int carried;

    Scanner(AtomicLongArray buckets, AtomicInteger measuring) {
      this.buckets = buckets;
      this.measuring = measuring;
    }

    /** Answers how many quotes the chunk completed. */
    int scan(ByteBuf buf) {
      int found = 0;
      int len = buf.readableBytes();
      byte[] b = new byte[carried + len];
      System.arraycopy(carry, 0, b, 0, carried);
      buf.getBytes(buf.readerIndex(), b, carried, len);
      long now = System.currentTimeMillis();
      int i = 0;
      int keepFrom = Math.max(0, b.length - carry.length);
      while (true) {
        int at = indexOf(b, i);
        if (at < 0) {
          break;
        }
        int start = at + FETCHED_AT.length;
        int end = start;
        while (end < b.length && b[end] != '"') {
          end++;
        }
        if (end >= b.length) {
          keepFrom = Math.min(keepFrom, at); // the instant is cut off: rescan it with the next chunk
          break;
        }
        found++;
        if (measuring.get() == 1) {
          long ms = now - parseMillis(b, start, end);
          buckets.incrementAndGet((int) Math.max(0, Math.min(MAX_MS, ms)));
        }
        i = end;
        keepFrom = Math.max(keepFrom, end);
      }
      carried = Math.min(carry.length, b.length - keepFrom);
      System.arraycopy(b, b.length - carried, carry, 0, carried);
      return found;
    }

    private static int indexOf(byte[] b, int from) {
      outer:
      for (int i = from; i <= b.length - FETCHED_AT.length; i++) {
        for (int j = 0; j < FETCHED_AT.length; j++) {
          if (b[i + j] != FETCHED_AT[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    /** {@code 2026-12-02T03:35:23.123456Z} (any fraction length) to epoch ms. */
    static long parseMillis(byte[] b, int s, int e) {
      int year = num(b, s, 4);
      int month = num(b, s + 5, 2);
      int day = num(b, s + 8, 2);
      int hour = num(b, s + 11, 2);
      int minute = num(b, s + 14, 2);
      int second = num(b, s + 17, 2);
      int ms = 0;
      int p = s + 19;
      if (p < e && b[p] == '.') {
        int digits = 0;
        p++;
        while (p < e && b[p] >= '0' && b[p] <= '9') {
          if (digits < 3) {
            ms = ms * 10 + (b[p] - '0');
          }
          digits++;
          p++;
        }
        for (int d = digits; d < 3; d++) {
          ms *= 10;
        }
      }
      long days = LocalDate.of(year, month, day).toEpochDay();
      return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + ms;
    }

    private static int num(byte[] b, int at, int len) {
      int v = 0;
      for (int i = 0; i < len; i++) {
        v = v * 10 + (b[at + i] - '0');
      }
      return v;
    }
  }
}
