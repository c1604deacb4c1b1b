package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.quote.QuoteJson;
import dev.quotegate.quote.QuoteView;
import dev.quotegate.stream.StreamHandler.SymbolError;
import dev.quotegate.stream.StreamHandler.WsQuotes;
import dev.quotegate.stream.StreamSession.Batch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

class StreamHandlerTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final StreamHandler handler = new StreamHandler(null, StreamTesting.defaults(), StreamTesting.meters(),
      Schedulers.immediate(), Clock.systemUTC(), JSON, new QuoteJson(JSON, 1000, new SimpleMeterRegistry()), null, null);

  @Test
  void theWebSocketMessageIsExactlyJacksonsEncodingOfItsRecord() {
    Instant now = Instant.ofEpochMilli(1_000_250);
    QuoteTick a = StreamTesting.tick("AAPL", 1_000_000, "192.77");
    QuoteTick b = StreamTesting.tick("MSFT", 1_000_100, "410.5");
    QuoteTick failed = QuoteTick.failed("ZZZZ", 1_000_200, now, new QuoteTick.Error(404, "not-found", "unknown symbol: ZZZZ"));
    for (List<QuoteTick> ticks : List.of(List.of(a, b), List.of(a, failed), List.of(failed))) {
      for (boolean snapshot : new boolean[] {true, false}) {
        Batch batch = new Batch(1_000_200, snapshot, ticks);
        List<QuoteView> views = ticks.stream().filter(QuoteTick::isQuote).map(t -> QuoteView.of(t.entry(), t.stale(), now)).toList();
        List<SymbolError> errors = ticks.stream().filter(t -> !t.isQuote())
            .map(t -> new SymbolError(t.symbol(), t.error().status(), t.error().code(), t.error().detail())).toList();
        String expected = JSON.writeValueAsString(new WsQuotes("quote", "1000200", snapshot,
            views.isEmpty() ? null : views, errors.isEmpty() ? null : errors));
        assertThat(new String(handler.wsQuotes(batch, now), StandardCharsets.UTF_8)).isEqualTo(expected);
      }
    }
  }
}
