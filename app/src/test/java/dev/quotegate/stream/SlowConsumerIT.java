package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.FaultMatrixRow;
import static org.awaitility.Awaitility.await;

import dev.quotegate.stream.SlowConsumerWatch.Reason;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.netty.http.client.HttpClient;

/**
 * Never-reading clients (issue 18, item 2): raw sockets that connect, send the stream request
 * and never read, next to normal SSE clients, against the whole gateway and the embedded
 * simulator (50 symbols, quote TTL 1 s: about 15 KB of events per connection per second).
 * Each never-reading stream fills its socket buffers, its channel turns unwritable, and it
 * is closed {@code unwritable-timeout} later; the normal ones go on receiving, memory stays
 * flat. The figures are printed for docs/reliability.md.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.quotes.ttl-market-open=1s",
      "quotegate.quotes.ttl-market-closed=1s",
      "quotegate.streams.unwritable-timeout=3s",
      "quotegate.streams.grace-period=2s",
      "quotegate.streams.max-connections-per-client=5000"
    })
class SlowConsumerIT {

  private static final int NEVER_READING = 200;
  private static final int NORMAL = 20;
  private static final long TIMEOUT_MS = 3000;

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired StreamMeters meters;
  @Autowired SlowConsumerWatch watch;
  @Autowired io.micrometer.core.instrument.MeterRegistry registry;

  @Test
  void neverReadingClientsAreCutWithinTheTimeoutWhileNormalOnesKeepReceivingAndMemoryStaysFlat() throws Exception {
    SimulatorAdmin sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    List<String> symbols = sim.symbols(450).subList(400, 450);
    String path = "/api/v1/stream/quotes?symbols=" + String.join(",", symbols);
    HttpClient client = HttpClient.newConnection().baseUrl("http://127.0.0.1:" + port);
    AtomicIntegerArray received = new AtomicIntegerArray(NORMAL);
    AtomicInteger failed = new AtomicInteger();
    Disposable.Composite normal = Disposables.composite();
    List<Socket> silent = new ArrayList<>();
    try {
      for (int i = 0; i < NORMAL; i++) {
        int n = i;
        normal.add(SseClient.connect(client, path, null)
            .filter(e -> e.getValue().isQuote())
            .subscribe(e -> received.incrementAndGet(n), e -> failed.incrementAndGet()));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> min(received) >= 1);
      long heapBefore = heapAfterGc();

      byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < NEVER_READING; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.getOutputStream().write(request);
        s.getOutputStream().flush();
        silent.add(s);
      }
      long start = System.nanoTime();
      await().atMost(Duration.ofSeconds(30)).until(() -> meters.open() == NORMAL + NEVER_READING);

      long firstUnwritable = -1;
      long allCut = -1;
      double maxUnsent = 0;
      long maxKernel = 0;
      long deadline = start + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline) {
        long now = System.nanoTime();
        double unwritable = registry.get("quotegate.stream.unwritable").gauge().value();
        if (firstUnwritable < 0 && unwritable > 0) {
          firstUnwritable = now;
        }
        maxUnsent = Math.max(maxUnsent, registry.get("quotegate.stream.unsent").gauge().value());
        maxKernel = Math.max(maxKernel, kernelSendQueue(port));
        if (meters.slowDisconnects(Reason.UNWRITABLE) >= NEVER_READING) {
          allCut = now;
          break;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
      }
      assertThat(allCut).as("every never-reading client cut within 90 s (cut so far: %s, unwritable now: %s)",
          meters.slowDisconnects(Reason.UNWRITABLE), registry.get("quotegate.stream.unwritable").gauge().value())
          .isPositive();
      long fillMs = TimeUnit.NANOSECONDS.toMillis(firstUnwritable - start);
      long cutMs = TimeUnit.NANOSECONDS.toMillis(allCut - firstUnwritable);
      io.micrometer.core.instrument.Timer unwritableFor = meters.unwritableAtCut();
      long sweepMs = 750; // a quarter of the timeout
      assertThat(unwritableFor.count()).isEqualTo(NEVER_READING);
      assertThat((long) unwritableFor.max(TimeUnit.MILLISECONDS))
          .as("longest a cut stream had been unwritable (timeout %d ms, sweep %d ms)", TIMEOUT_MS, sweepMs)
          .isBetween(TIMEOUT_MS, TIMEOUT_MS + 2 * sweepMs + 500);
      assertThat(meters.slowDisconnects(Reason.UNWRITABLE)).as("only the never-reading ones were cut")
          .isEqualTo(NEVER_READING);
      await().atMost(Duration.ofSeconds(10)).until(() -> meters.open() == NORMAL);

      int[] before = snapshot(received);
      await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
      for (int i = 0; i < NORMAL; i++) {
        assertThat(received.get(i)).as("normal client %d kept receiving", i).isGreaterThan(before[i]);
      }
      assertThat(failed.get()).as("normal streams failed").isZero();
      long heapAfter = heapAfterGc();
      assertThat(heapAfter - heapBefore).as("heap after GC grew by (bytes)").isLessThan(32L << 20);
      int closedByServer = 0;
      for (Socket s : silent) {
        if (drainsToEnd(s)) {
          closedByServer++;
        }
      }
      assertThat(closedByServer).as("never-reading sockets closed by the server").isEqualTo(NEVER_READING);
      new FaultMatrixRow(NEVER_READING + " never-reading SSE clients beside " + NORMAL + " normal ones", NEVER_READING + NORMAL,
          0, 0, 0, 0, "n/a", String.format(java.util.Locale.ROOT,
              "all %d cut after %.0f ms unwritable on average (timeout %d ms), only those; unsent data at most %.0f KB each "
                  + "in Netty, %.1f KB in the kernel; heap after GC %d MB before, %d MB after; normal clients kept receiving",
              NEVER_READING, unwritableFor.mean(TimeUnit.MILLISECONDS), TIMEOUT_MS, maxUnsent / 1024 / NEVER_READING,
              maxKernel / 1024.0 / NEVER_READING, heapBefore >> 20, heapAfter >> 20)).write("never-reading");
      System.out.printf("SlowConsumerIT: %d never-reading + %d normal SSE clients, 50 symbols, unwritable-timeout %d ms: "
              + "first channel unwritable %d ms after connecting, all %d cut %d ms after that (each after %.0f ms unwritable on average, at most %.0f ms); "
              + "max unsent in Netty %.0f KB in all (%.1f KB each), max kernel send queue %d KB in all (%.1f KB each); "
              + "heap after GC %d MB before, %d MB after%n",
          NEVER_READING, NORMAL, TIMEOUT_MS, fillMs, NEVER_READING, cutMs, unwritableFor.mean(TimeUnit.MILLISECONDS),
          unwritableFor.max(TimeUnit.MILLISECONDS), maxUnsent / 1024, maxUnsent / 1024 / NEVER_READING,
          maxKernel / 1024, maxKernel / 1024.0 / NEVER_READING, heapBefore >> 20, heapAfter >> 20);
    } finally {
      normal.dispose();
      for (Socket s : silent) {
        s.close();
      }
    }
  }

  /** Reads what the server had sent until its close: true at end of stream or reset. */
  private static boolean drainsToEnd(Socket s) throws IOException {
    s.setSoTimeout(5000);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[65536];
    try {
      while (in.read(buf) >= 0) {
        // what the server wrote before it closed
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset: closed by the server with data unread
    }
  }

  /** Bytes in the kernel send queues of the server's sockets (ss), 0 where ss is missing. */
  private static long kernelSendQueue(int port) {
    try {
      Process p = new ProcessBuilder("ss", "-tnH", "state", "established", "( sport = :" + port + " )")
          .redirectErrorStream(true).start();
      long total = 0;
      for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 2 && f[1].matches("\\d+")) {
          total += Long.parseLong(f[1]); // Send-Q
        }
      }
      p.waitFor(5, TimeUnit.SECONDS);
      return total;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private static long heapAfterGc() {
    System.gc();
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static int[] snapshot(AtomicIntegerArray a) {
    int[] out = new int[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i);
    }
    return out;
  }

  private static int min(AtomicIntegerArray a) {
    int m = Integer.MAX_VALUE;
    for (int i = 0; i < a.length(); i++) {
      m = Math.min(m, a.get(i));
    }
    return m;
  }
}
