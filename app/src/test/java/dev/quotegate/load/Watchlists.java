package dev.quotegate.load;

import dev.quotegate.simulator.Instrument;
import dev.quotegate.simulator.Universe;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Per-user watchlists over the simulator's universe, as a dashboard's users would keep them:
 * each user follows {@code min..max} distinct symbols, drawn with Zipf-skewed popularity
 * (rank 1, the first large cap, is the most followed), so popular names are shared by many
 * users while almost no two lists are the same. Deterministic: user {@code n} always gets the
 * same list for the same seed, so a run against the gateway and one against nginx ask for
 * exactly the same symbols.
 */
final class Watchlists {

  private final List<String> pool;
  private final double[] cdf;
  private final int min;
  private final int max;
  private final long seed;

  /**
   * @param pool symbols in popularity order
   * @param exponent Zipf exponent (1.0 is the classic skew; 0 is uniform)
   * @param min fewest symbols per list
   * @param max most symbols per list (at most the pool's size)
   */
  Watchlists(List<String> pool, double exponent, int min, int max, long seed) {
    this.pool = List.copyOf(Objects.requireNonNull(pool, "pool"));
    if (min < 1 || max < min || max > pool.size()) {
      throw new IllegalArgumentException("need 1 <= min <= max <= pool size, got " + min + ".." + max + " of " + pool.size());
    }
    if (exponent < 0) {
      throw new IllegalArgumentException("exponent must be >= 0");
    }
    this.min = min;
    this.max = max;
    this.seed = seed;
    this.cdf = new double[pool.size()];
    double sum = 0;
    for (int i = 0; i < cdf.length; i++) {
      sum += 1.0 / Math.pow(i + 1, exponent);
      cdf[i] = sum;
    }
    for (int i = 0; i < cdf.length; i++) {
      cdf[i] /= sum;
    }
  }

  /** The universe's symbols in listing order (the real large caps first). */
  static List<String> universe(long seed, int size) {
    List<String> out = new ArrayList<>(size);
    for (Instrument i : Universe.generate(seed, size).instruments()) {
      out.add(i.symbol());
    }
    return Collections.unmodifiableList(out);
  }

  /** User {@code user}'s watchlist, in the order the user added the symbols. */
  List<String> forUser(int user) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + user);
    int size = min + random.nextInt(max - min + 1);
    LinkedHashSet<String> list = new LinkedHashSet<>(size * 2);
    while (list.size() < size) {
      list.add(pool.get(rank(random.nextDouble())));
    }
    return List.copyOf(list);
  }

  /** Every symbol followed by users {@code 0..users-1}. */
  Set<String> distinct(int users) {
    Set<String> all = new LinkedHashSet<>();
    for (int u = 0; u < users; u++) {
      all.addAll(forUser(u));
    }
    return all;
  }

  private int rank(double u) {
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
