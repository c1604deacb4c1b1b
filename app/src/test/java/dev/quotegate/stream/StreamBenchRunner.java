package dev.quotegate.stream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The out-of-process stream benchmark ({@code app/bench/streams.sh} runs it): starts
 * {@link StreamBenchServer} (simulator, gateway, bare peer) in one JVM, then per step a
 * {@link StreamLoadClient} JVM with N connections to the gateway or the peer, SSE or
 * WebSocket. Per step: server heap after GC before the clients ({@code jcmd GC.run},
 * {@code GC.heap_info}) and again with every connection open, the difference per
 * connection; tick-to-client latency over the measure window; the server's and the client's
 * CPU time in the window (they share the machine's cores); the load average (the machine is shared). Writes a Markdown report. Not a test.
 */
public final class StreamBenchRunner {

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  record Step(String server, String transport, int n) {}

  record Row(Step step, int open, int receiving, long p50, long p99, long max, long samples, double perConnPerSec,
      double heapBaseMb, double heapMb, double kbPerConn, double cpuPct, double clientCpuPct, int serverFds, String load) {}

  public static void main(String[] args) throws Exception {
    int[] sse = {1000, 5000, 10000, 19000};
    int[] ws = {1000, 10000};
    int[] h2 = {20000};
    int measure = 15;
    String serverHeap = "2g";
    String clientHeap = "1536m";
    Path out = Path.of("app/target/stream-bench.md");
    for (String a : args) {
      if (a.startsWith("--sse-steps=")) {
        sse = ints(a.substring(12));
      } else if (a.startsWith("--ws-steps=")) {
        ws = ints(a.substring(11));
      } else if (a.startsWith("--h2-steps=")) {
        h2 = ints(a.substring(11));
      } else if (a.startsWith("--measure=")) {
        measure = Integer.parseInt(a.substring(10));
      } else if (a.startsWith("--server-heap=")) {
        serverHeap = a.substring(14);
      } else if (a.startsWith("--client-heap=")) {
        clientHeap = a.substring(14);
      } else if (a.startsWith("--out=")) {
        out = Path.of(a.substring(6));
      } else {
        System.err.println("unknown option " + a);
        System.exit(2);
      }
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Path serverLog = out.resolveSibling("stream-bench-server.log");
    Process server = new ProcessBuilder(java, "-Xmx" + serverHeap, "-Xms" + serverHeap, "-XX:+UseG1GC",
        "-cp", cp, StreamBenchServer.class.getName())
        .redirectError(serverLog.toFile())
        .start();
    Lines serverOut = new Lines(server.getInputStream(), serverLog.resolveSibling("stream-bench-server.out"));
    String ready = serverOut.await("READY", 120);
    if (ready == null) {
      server.destroyForcibly();
      throw new IllegalStateException("server did not start; see " + serverLog);
    }
    Map<String, String> info = fields(ready);
    long pid = Long.parseLong(info.get("pid"));
    String gateway = "http://127.0.0.1:" + info.get("gateway");
    String peer = "http://127.0.0.1:" + info.get("peer");
    String symbols = info.get("symbols");
    int fdLimit = fdLimit(pid);
    List<Step> steps = new ArrayList<>();
    for (int n : sse) {
      steps.add(new Step("quotegate", "sse", n));
      steps.add(new Step("peer", "sse", n));
    }
    for (int n : ws) {
      steps.add(new Step("quotegate", "websocket", n));
      steps.add(new Step("peer", "websocket", n));
    }
    for (int n : h2) {
      // SSE streams multiplexed over h2c connections (STREAMS_PER_CONNECTION each, as a
      // browser multiplexes EventSources): past the open-files limit of HTTP/1.1.
      steps.add(new Step("quotegate", "sse-h2c", n));
      steps.add(new Step("peer", "sse-h2c", n));
    }
    List<Row> rows = new ArrayList<>();
    String started = Instant.now().toString();
    try {
      int idleFds = fds(pid);
      for (Step s : steps) {
        // The previous step's sockets close asynchronously: wait (up to 60 s) until they are gone.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (fds(pid) > idleFds + 200 && System.nanoTime() < until) {
          Thread.sleep(500);
        }
        int free = fdLimit - fds(pid) - 64;
        Step step = s;
        int sockets = s.transport().equals("sse-h2c") ? s.n() / StreamLoadClient.STREAMS_PER_CONNECTION + 16 : s.n();
        if (sockets > free) {
          System.out.printf("step %s: %d connections do not fit the server's %d open files; running %d%n", s, s.n(), fdLimit, free);
          step = new Step(s.server(), s.transport(), free);
        }
        String base = step.server().equals("quotegate") ? gateway : peer;
        String uri = step.server().equals("quotegate")
            ? base + (step.transport().startsWith("sse") ? "/api/v1/stream/quotes?symbols=" : "/api/v1/stream/ws?symbols=") + symbols
            : base + (step.transport().startsWith("sse") ? "/sse" : "/ws");
        Row r = run(step, uri, java, cp, clientHeap, measure, pid);
        rows.add(r);
        System.out.println(r);
        Files.writeString(out, report(rows, started, fdLimit, measure));
      }
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(20, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
    System.out.println(report(rows, started, fdLimit, measure));
  }

  private static Row run(Step step, String uri, String java, String cp, String clientHeap, int measure, long pid)
      throws Exception {
    double base = heapAfterGc(pid);
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + clientHeap, "-XX:+UseParallelGC", "-cp", cp,
        StreamLoadClient.class.getName(), "--uri=" + uri, "--connections=" + step.n(), "--measure=" + measure));
    if (step.transport().equals("websocket")) {
      cmd.add("--ws");
    } else if (step.transport().equals("sse-h2c")) {
      cmd.add("--h2c");
    }
    Process client = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Lines lines = new Lines(client.getInputStream(), null);
    String receiving = lines.await("RECEIVING", 180);
    double heap = heapAfterGc(pid);
    int serverFds = fds(pid);
    try (Writer w = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
      w.write("GO\n");
      w.flush();
      Thread.sleep(TimeUnit.SECONDS.toMillis(StreamLoadClient.SETTLE_SECONDS)); // CPU over the window only
      long cpu0 = cpuTicks(pid);
      long clientCpu0 = cpuTicks(client.pid());
      long t0 = System.nanoTime();
      String result = lines.await("RESULT", measure + 60);
      long cpu1 = cpuTicks(pid);
      long clientCpu1 = cpuTicks(client.pid());
      double secs = (System.nanoTime() - t0) / 1e9;
      client.waitFor(30, TimeUnit.SECONDS);
      client.destroyForcibly();
      Map<String, String> f = fields(result == null ? "" : result);
      int open = Integer.parseInt(f.getOrDefault("open", "0"));
      return new Row(step, open, Integer.parseInt(f.getOrDefault("receivingInWindow", "0")),
          Long.parseLong(f.getOrDefault("p50", "-1")), Long.parseLong(f.getOrDefault("p99", "-1")),
          Long.parseLong(f.getOrDefault("max", "-1")), Long.parseLong(f.getOrDefault("samples", "0")),
          Double.parseDouble(f.getOrDefault("perConnPerSec", "0")), base / 1024, heap / 1024,
          (heap - base) / Math.max(1, open), (cpu1 - cpu0) / 100.0 / secs * 100,
          (clientCpu1 - clientCpu0) / 100.0 / secs * 100, serverFds,
          receiving + "; load " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } finally {
      pause();
    }
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(3000); // let the sockets close before the next step (the runner's own thread)
  }

  /** Server heap used after a full GC, in KB (jcmd, from outside the server). */
  private static double heapAfterGc(long pid) throws Exception {
    jcmd(pid, "GC.run");
    Thread.sleep(500);
    jcmd(pid, "GC.run");
    Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static String jcmd(long pid, String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return s;
  }

  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
  }

  private static int fds(long pid) throws IOException {
    try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) s.count();
    }
  }

  private static int fdLimit(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
      if (line.startsWith("Max open files")) {
        return Integer.parseInt(line.substring(26).trim().split("\\s+")[0]);
      }
    }
    return 1024;
  }

  private static String report(List<Row> rows, String started, int fdLimit, int measure) throws IOException {
    StringBuilder sb = new StringBuilder();
    String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .findFirst().map(l -> l.substring(l.indexOf(':') + 2)).orElse("?");
    sb.append("Run ").append(started).append(": ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (")
        .append(cpu).append("), Java ").append(System.getProperty("java.version")).append(", server open-files limit ")
        .append(fdLimit).append(", measure ").append(measure).append(" s per step\n\n");
    sb.append("| server | transport | connections | open | receiving in window | p50 ms | p99 ms | max ms | quotes/conn/s "
        + "| server heap after GC MB (before → with clients) | KB / connection | server CPU % | client CPU % | notes |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %d | %.2f | %.0f → %.0f | %.1f | %.0f | %.0f | %s |%n",
          r.step().server(), r.step().transport(), r.step().n(), r.open(), r.receiving(), r.p50(), r.p99(), r.max(),
          r.perConnPerSec(), r.heapBaseMb(), r.heapMb(), r.kbPerConn(), r.cpuPct(), r.clientCpuPct(), r.load()));
    }
    return sb.toString();
  }

  private static Map<String, String> fields(String line) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : line.split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        m.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return m;
  }

  private static int[] ints(String s) {
    return s.isBlank() ? new int[0] : Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /** A child's stdout: lines into a queue (and a log), read by a thread of its own. */
  static final class Lines {
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();

    Lines(java.io.InputStream in, Path log) {
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            queue.add(line);
            if (log != null) {
              Files.writeString(log, line + "\n", StandardCharsets.UTF_8,
                  java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
          }
        } catch (IOException e) {
          queue.add("EOF " + e);
        }
      }, "bench-lines");
      t.setDaemon(true);
      t.start();
    }

    String await(String prefix, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        String line = queue.poll(200, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith(prefix)) {
          return line;
        }
      }
      return null;
    }
  }
}
