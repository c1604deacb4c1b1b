package dev.quotegate.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WatchlistsTest {

  private static final List<String> UNIVERSE = Watchlists.universe(42, 500);

  @Test
  void everyListHasDistinctSymbolsWithinTheSizeBounds() {
    Watchlists lists = new Watchlists(UNIVERSE.subList(0, 400), 1.0, 10, 50, 42);
    for (int u = 0; u < 300; u++) {
      List<String> list = lists.forUser(u);
      assertThat(list).as("user %d", u).hasSizeBetween(10, 50).doesNotHaveDuplicates();
      assertThat(UNIVERSE.subList(0, 400)).containsAll(list);
    }
  }

  @Test
  void sameUserGetsTheSameListAcrossRunsAndUsersDiffer() {
    Watchlists a = new Watchlists(UNIVERSE.subList(0, 400), 1.0, 10, 50, 42);
    Watchlists b = new Watchlists(UNIVERSE.subList(0, 400), 1.0, 10, 50, 42);
    assertThat(a.forUser(7)).isEqualTo(b.forUser(7));
    Set<List<String>> seen = new HashSet<>();
    for (int u = 0; u < 200; u++) {
      seen.add(a.forUser(u));
    }
    assertThat(seen).as("per-user lists, almost never repeated").hasSizeGreaterThan(195);
  }

  @Test
  void popularityIsSkewedTowardTheFirstRanks() {
    Watchlists lists = new Watchlists(UNIVERSE.subList(0, 400), 1.0, 10, 50, 42);
    Map<String, Integer> followers = new HashMap<>();
    for (int u = 0; u < 500; u++) {
      lists.forUser(u).forEach(s -> followers.merge(s, 1, Integer::sum));
    }
    int top = followers.getOrDefault(UNIVERSE.get(0), 0);
    int tail = followers.getOrDefault(UNIVERSE.get(399), 0);
    assertThat(top).as("rank 1 followed by most users").isGreaterThan(400);
    assertThat(tail).as("rank 400 followed by few").isLessThan(top / 4);
  }

  @Test
  void refusesListsLargerThanThePool() {
    assertThatThrownBy(() -> new Watchlists(UNIVERSE.subList(0, 20), 1.0, 10, 50, 42))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void acceptsOnlyLoopbackTargets() {
    assertThat(LoadSettings.isLoopback("127.0.0.1")).isTrue();
    assertThat(LoadSettings.isLoopback("127.0.0.2")).isTrue();
    assertThat(LoadSettings.isLoopback("localhost")).isTrue();
    assertThat(LoadSettings.isLoopback("[::1]")).isTrue();
    assertThat(LoadSettings.isLoopback("10.0.0.1")).isFalse();
    assertThat(LoadSettings.isLoopback("example.com")).isFalse();
  }
}
