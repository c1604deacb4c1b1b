package dev.quotegate.stream;

import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The SSE side of {@code app/bench/cluster.sh}'s gateway-kill run: {@code --per-instance} SSE
 * subscribers on each gateway (directly to its port, not through the load balancer), all on
 * the same symbols, each recording when its {@code quote} events arrive and when (and how) its
 * stream ended. Prints {@code READY <connections> <with-a-quote>} once every subscriber got a
 * first quote (or after {@code --ready-timeout}), then records for {@code --seconds} and writes
 * one line per subscriber to {@code --out}:
 * {@code <instance> <id> <end ms or -1> <end reason> <t1>:<quotes> <t2>:<quotes> ...} (epoch
 * ms of each quote event, quotes it carried). The script reads the kill time next to it. Not a
 * test.
 */
public final class ClusterStreamWatch {

  /** One subscriber's record. */
  static final class Subscriber {
    final int instance;
    final int id;
    final ConcurrentLinkedQueue<long[]> quotes = new ConcurrentLinkedQueue<>();
    final AtomicLong endedAt = new AtomicLong(-1);
    volatile String endReason = "-";

    Subscriber(int instance, int id) {
      this.instance = instance;
      this.id = id;
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> bases = new ArrayList<>();
    String path = null;
    int perInstance = 100;
    int seconds = 40;
    int readyTimeout = 60;
    Path out = null;
    for (String a : args) {
      if (a.startsWith("--bases=")) {
        bases.addAll(List.of(a.substring(8).split(",")));
      } else if (a.startsWith("--path=")) {
        path = a.substring(7);
      } else if (a.startsWith("--per-instance=")) {
        perInstance = Integer.parseInt(a.substring(15));
      } else if (a.startsWith("--seconds=")) {
        seconds = Integer.parseInt(a.substring(10));
      } else if (a.startsWith("--ready-timeout=")) {
        readyTimeout = Integer.parseInt(a.substring(16));
      } else if (a.startsWith("--out=")) {
        out = Path.of(a.substring(6));
      }
    }
    if (bases.isEmpty() || path == null || out == null) {
      System.err.println("usage: --bases=http://h:p1,http://h:p2 --path=/api/v1/stream/quotes?symbols=A,B"
          + " --per-instance=N --seconds=S --out=F");
      System.exit(2);
    }
    LoopResources loops = LoopResources.create("watch", 2, true);
    ConnectionProvider pool = ConnectionProvider.builder("watch").maxConnections(perInstance * bases.size() + 16)
        .pendingAcquireMaxCount(-1).build();
    HttpClient http = HttpClient.create(pool).runOn(loops).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .responseTimeout(Duration.ofSeconds(60));
    List<Subscriber> subs = new ArrayList<>();
    Disposable.Composite all = Disposables.composite();
    CountDownLatch firstQuotes = new CountDownLatch(perInstance * bases.size());
    AtomicInteger withQuote = new AtomicInteger();
    for (int i = 0; i < bases.size(); i++) {
      for (int k = 0; k < perInstance; k++) {
        Subscriber s = new Subscriber(i + 1, k);
        subs.add(s);
        boolean[] first = {true};
        all.add(http.headers(h -> h.set("Accept", "text/event-stream"))
            .get()
            .uri(bases.get(i) + path)
            .response((res, body) -> {
              if (res.status().code() != 200) {
                end(s, "status:" + res.status().code());
                return body.then(reactor.core.publisher.Mono.<SseClient.Event>empty());
              }
              SseClient.Parser parser = new SseClient.Parser();
              return body.asString().concatMapIterable(parser::feed);
            })
            .filter(SseClient.Event::isQuote)
            .subscribe(
                e -> {
                  s.quotes.add(new long[] {System.currentTimeMillis(), count(e.data(), "\"symbol\"")});
                  if (first[0]) {
                    first[0] = false;
                    withQuote.incrementAndGet();
                    firstQuotes.countDown();
                  }
                },
                e -> end(s, "error:" + e.getClass().getSimpleName()),
                () -> end(s, "complete")));
      }
    }
    firstQuotes.await(readyTimeout, TimeUnit.SECONDS);
    System.out.println("READY " + subs.size() + " " + withQuote.get());
    System.out.flush();
    TimeUnit.SECONDS.sleep(seconds);
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
      for (Subscriber s : subs) {
        StringBuilder line = new StringBuilder()
            .append(s.instance).append(' ').append(s.id).append(' ').append(s.endedAt.get()).append(' ').append(s.endReason);
        for (long[] q : s.quotes) {
          line.append(' ').append(q[0]).append(':').append(q[1]);
        }
        w.println(line);
      }
    } catch (IOException e) {
      System.err.println("cannot write " + out + ": " + e);
      System.exit(1);
    }
    System.out.println("DONE " + subs.size());
    all.dispose();
    pool.disposeLater().block(Duration.ofSeconds(5));
    loops.disposeLater().block(Duration.ofSeconds(5));
    System.exit(0);
  }

  private static void end(Subscriber s, String reason) {
    if (s.endedAt.compareAndSet(-1, System.currentTimeMillis())) {
      s.endReason = reason;
    }
  }

  private static long count(String text, String what) {
    if (text == null) {
      return 0;
    }
    long n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
      n++;
    }
    return n;
  }
}
