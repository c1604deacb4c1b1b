package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotegate.provider.Quote;
import dev.quotegate.testsupport.FakeQuoteProvider;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ValueCodecTest {

  private final ValueCodec<Quote> codec = ValueCodec.cbor(Quote.class);

  @Test
  void roundTripsAQuoteExactly() {
    Quote q = FakeQuoteProvider.quote("BRK.B", "412.3456789");
    Cached<Quote> in = new Cached<>(q, Instant.parse("2026-11-23T15:00:00.123456789Z"), Instant.parse("2026-11-23T15:00:05Z"));
    byte[] bytes = codec.encode(in);
    assertThat(bytes[0]).as("format byte").isEqualTo(ValueCodec.CBOR_V1);
    Cached<Quote> out = codec.decode(bytes);
    assertThat(out).isEqualTo(in);
    assertThat(out.value().price()).isEqualTo(new BigDecimal("412.3456789"));
  }

  @Test
  void keepsNullFieldsNull() {
    Quote q = new Quote("X", BigDecimal.ONE, null, null, null, null, null, null, null, null, null,
        Instant.parse("2026-11-23T15:00:00Z"), "sim");
    Cached<Quote> in = new Cached<>(q, Instant.parse("2026-11-23T15:00:00Z"), Instant.parse("2026-11-23T15:00:05Z"));
    assertThat(codec.decode(codec.encode(in))).isEqualTo(in);
  }

  @Test
  void refusesAnotherFormatOrGarbage() {
    ValueCodec<Quote> json = ValueCodec.of(JsonMapper.builder().build(), (byte) 9, Quote.class);
    Cached<Quote> in = new Cached<>(FakeQuoteProvider.quote("A", "1"), Instant.EPOCH, Instant.EPOCH.plusSeconds(5));
    assertThatThrownBy(() -> codec.decode(json.encode(in))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format 9");
    assertThatThrownBy(() -> codec.decode(new byte[] {ValueCodec.CBOR_V1, 1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }
}
