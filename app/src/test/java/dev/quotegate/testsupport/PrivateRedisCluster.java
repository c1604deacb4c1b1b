package dev.quotegate.testsupport;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A Redis Cluster of the test's own: three masters and three replicas (Debian's redis-server,
 * {@code --cluster-enabled yes}, joined by {@code redis-cli --cluster create --cluster-replicas 1
 * --cluster-yes}) on random free ports (each port and its cluster bus port, port + 10000), in a
 * temporary folder, removed on close. A test may kill a master and wait for its replica to be
 * promoted. Where redis-server or redis-cli is missing the test is skipped with a printed
 * reason, or fails with {@code QUOTEGATE_REQUIRE_SERVICES=true}.
 */
public final class PrivateRedisCluster implements AutoCloseable {

  private static final String[] SERVERS = {"/usr/bin/redis-server", "/usr/local/bin/redis-server"};
  private static final String[] CLIS = {"/usr/bin/redis-cli", "/usr/local/bin/redis-cli"};
  /** Short, so a failover takes a few seconds (production clusters use 15 s). */
  public static final Duration NODE_TIMEOUT = Duration.ofMillis(1500);

  private final String server;
  private final String cli;
  private final Path dir;
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();

  private PrivateRedisCluster(String server, String cli, Path dir) {
    this.server = server;
    this.cli = cli;
    this.dir = dir;
  }

  /** Starts six nodes and joins them (3 masters + 3 replicas), or skips without the binaries. */
  public static PrivateRedisCluster startOrSkip() throws IOException, InterruptedException {
    String server = find(SERVERS);
    String cli = find(CLIS);
    if (server == null || cli == null) {
      String reason = "no redis-server/redis-cli binaries at " + String.join(", ", SERVERS) + " / " + String.join(", ", CLIS);
      if (ServicesCondition.required()) {
        throw new IllegalStateException(reason + " and QUOTEGATE_REQUIRE_SERVICES=true");
      }
      System.out.println("SKIPPED: " + reason);
      Assumptions.abort(reason);
    }
    PrivateRedisCluster cluster = new PrivateRedisCluster(server, cli, Files.createTempDirectory("qg-redis-cluster-"));
    try {
      cluster.start();
    } catch (IOException | RuntimeException | InterruptedException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private static String find(String[] candidates) {
    for (String c : candidates) {
      if (new File(c).canExecute()) {
        return c;
      }
    }
    return null;
  }

  private void start() throws IOException, InterruptedException {
    List<Integer> ports = freePorts(6);
    for (int port : ports) {
      startNode(port);
    }
    List<String> args = new ArrayList<>(List.of(cli, "--cluster", "create"));
    for (int port : ports) {
      args.add("127.0.0.1:" + port);
    }
    args.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    String out = run(args, Duration.ofSeconds(60));
    if (!out.contains("[OK] All 16384 slots covered")) {
      throw new IOException("redis-cli --cluster create failed: " + out);
    }
    awaitHealthy(Duration.ofSeconds(60));
  }

  private void startNode(int port) throws IOException {
    Path nodeDir = Files.createDirectories(dir.resolve(Integer.toString(port)));
    Process p = new ProcessBuilder(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", Long.toString(NODE_TIMEOUT.toMillis()), "--dir", nodeDir.toString(),
            "--save", "", "--appendonly", "no", "--protected-mode", "no")
        .redirectErrorStream(true)
        .redirectOutput(nodeDir.resolve("redis.log").toFile())
        .start();
    nodes.put(port, p);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.onSpinWait();
      }
    }
    throw new IOException("redis-server did not start on port " + port);
  }

  /** Random ports in 20000-29999 whose cluster bus port (+10000) is free too. */
  private static List<Integer> freePorts(int n) {
    List<Integer> out = new ArrayList<>();
    while (out.size() < n) {
      int port = ThreadLocalRandom.current().nextInt(20000, 30000);
      if (!out.contains(port) && free(port) && free(port + 10000)) {
        out.add(port);
      }
    }
    return out;
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /** Seed nodes for {@code quotegate.redis.cluster-nodes}. */
  public String nodes() {
    return String.join(",", nodes.keySet().stream().map(p -> "127.0.0.1:" + p).toList());
  }

  public List<Integer> ports() {
    return List.copyOf(nodes.keySet());
  }

  /** {@code redis-cli -p port args...}: its output. */
  public String cli(int port, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(cli, "-p", Integer.toString(port)));
    cmd.addAll(List.of(args));
    return run(cmd, Duration.ofSeconds(10));
  }

  /** Ports of the live masters serving slots, from a live node's CLUSTER NODES. */
  public List<Integer> masters() throws IOException, InterruptedException {
    List<Integer> out = new ArrayList<>();
    for (String line : cli(anyLivePort(), "cluster", "nodes").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
        int port = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1, f[1].indexOf('@')));
        if (nodes.containsKey(port)) {
          out.add(port);
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** The port of the master serving {@code key}'s slot. */
  public int masterOf(String key) throws IOException, InterruptedException {
    long slot = Long.parseLong(cli(anyLivePort(), "cluster", "keyslot", key).trim());
    for (String line : cli(anyLivePort(), "cluster", "nodes").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
        for (int i = 8; i < f.length; i++) {
          String[] range = f[i].split("-");
          if (range[0].startsWith("[")) {
            continue;
          }
          long lo = Long.parseLong(range[0]);
          long hi = range.length > 1 ? Long.parseLong(range[1]) : lo;
          if (slot >= lo && slot <= hi) {
            return Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1, f[1].indexOf('@')));
          }
        }
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /** Kills a node at once (SIGKILL). */
  public void kill(int port) throws InterruptedException {
    Process p = nodes.remove(port);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Waits until every live node says cluster_state:ok and three masters serve the slots. */
  public void awaitHealthy(Duration timeout) {
    org.awaitility.Awaitility.await("cluster_state:ok on every node, three masters")
        .pollInterval(Duration.ofMillis(200))
        .atMost(timeout)
        .ignoreExceptions()
        .until(() -> {
          for (int port : nodes.keySet()) {
            if (!cli(port, "cluster", "info").contains("cluster_state:ok")) {
              return false;
            }
          }
          return masters().size() == 3;
        });
  }

  private int anyLivePort() {
    return nodes.keySet().iterator().next();
  }

  private static String run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + cmd);
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    for (int port : List.copyOf(nodes.keySet())) {
      kill(port);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind is harmless
    }
  }
}
