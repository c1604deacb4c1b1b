package dev.quotegate.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.history.HistoryViews.BarView;
import dev.quotegate.history.HistoryViews.Freshness;
import dev.quotegate.history.HistoryViews.HistoryView;
import dev.quotegate.provider.Bar;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The history body with its bars' JSON written as kept equals Jackson's encoding of the views. */
class HistoryViewsTest {

  /** The body as it was encoded before the bars' JSON was kept. */
  record PlainView(String symbol, String interval, String range, Instant from, Instant to, String source, boolean stored,
      String served, Freshness freshness, int count, List<BarView> bars) {}

  @Test
  void keptBarsJsonGivesTheSameBodyAsEncodingTheViews() {
    JsonMapper json = JsonMapper.builder().build();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int round = 0; round < 50; round++) {
      List<Bar> bars = new ArrayList<>();
      Instant t = Instant.parse("2025-01-02T14:30:00Z");
      for (int i = 0; i < r.nextInt(0, 40); i++) {
        BigDecimal p = BigDecimal.valueOf(r.nextLong(1, 10_000_000), r.nextInt(0, 7));
        bars.add(new Bar(t.plusSeconds(86_400L * i), p, p.add(BigDecimal.ONE), p, p, r.nextBoolean() ? null : r.nextLong(0, Long.MAX_VALUE)));
      }
      Instant now = Instant.now();
      HistorySeries s = new HistorySeries("AAPL", BarInterval.D1, t, now, bars, "sim", true, HistorySeries.Served.STORE, 0, 0,
          bars.isEmpty() ? null : now, true, now.plusSeconds(60));
      String kept = json.writeValueAsString(HistoryViews.bars(s.bars()));
      String body = json.writeValueAsString(HistoryView.of(s, HistoryRange.Y1, now, new tools.jackson.core.io.SerializedString(kept)));
      String plain = json.writeValueAsString(new PlainView("AAPL", "1d", HistoryRange.Y1.code(), s.from(), s.to(), "sim", true,
          "store", Freshness.of(s, now), bars.size(), HistoryViews.bars(bars)));
      assertThat(json.readTree(body)).as("round %d", round).isEqualTo(json.readTree(plain));
    }
  }
}
