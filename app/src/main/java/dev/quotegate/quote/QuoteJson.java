package dev.quotegate.quote;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quotegate.cache.Cached;
import dev.quotegate.quote.QuoteBatchView.SymbolError;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The quote endpoints' JSON, each quote's unchanging part encoded once per fetched value.
 *
 * <p>Of a {@link QuoteView} only the last two fields, {@code ageMs} and {@code stale}, change
 * from one answer to the next while the value is cached; the rest (the provider's values,
 * source and fetch time) is the same for every request in the quote's freshness window. That
 * head is encoded once by Jackson, with the application's mapper, and kept beside the cache
 * entry it was made from; an answer is the head plus {@code ,"ageMs":N,"stale":B}. A dashboard
 * poll of 50 quotes thus encodes nothing but numbers, where Jackson's encoding of the views was
 * the largest item of the profile under the dashboard load (docs/benchmarks.md).
 *
 * <p>The bytes are exactly Jackson's encoding of {@link QuoteView} and {@link QuoteBatchView}:
 * the constructor checks this on a sample with the mapper it is given and refuses to start
 * otherwise (a mapper setting that reorders or renames properties would show there), and
 * {@code QuoteJsonTest} checks it on random quotes.
 *
 * <p>The heads are held in a bounded Caffeine cache (one per symbol, replaced when the cache
 * entry is; meters {@code cache.*{cache=quote.json}}).
 */
final class QuoteJson {

  /** {@link QuoteView} without {@code ageMs} and {@code stale}, in the same order. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Head(
      String symbol,
      BigDecimal price,
      BigDecimal change,
      BigDecimal changePercent,
      BigDecimal open,
      BigDecimal high,
      BigDecimal low,
      BigDecimal previousClose,
      Long volume,
      String currency,
      Boolean marketOpen,
      Instant asOf,
      String source,
      Instant fetchedAt) {

    static Head of(Cached<Quote> entry) {
      Quote q = entry.value();
      return new Head(q.symbol(), q.price(), q.change(), q.changePercent(), q.open(), q.high(), q.low(),
          q.previousClose(), q.volume(), q.currency(), q.marketOpen(), q.asOf(), q.source(), entry.fetchedAt());
    }
  }

  /** A head and the cache entry it encodes (compared by identity). */
  private record Encoded(Cached<Quote> entry, byte[] open) {}

  private static final byte[] AGE = ",\"ageMs\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STALE_TRUE = ",\"stale\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STALE_FALSE = ",\"stale\":false}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_AS_OF = "{\"asOf\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_REQUESTED = ",\"requested\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_QUOTES = ",\"quotes\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_ERRORS = "],\"errors\":".getBytes(StandardCharsets.US_ASCII);

  private final ObjectWriter headWriter;
  private final ObjectWriter instantWriter;
  private final ObjectWriter errorsWriter;
  private final Cache<String, Encoded> heads;

  QuoteJson(JsonMapper json, long maxEntries, MeterRegistry registry) {
    this.headWriter = json.writerFor(Head.class);
    this.instantWriter = json.writerFor(Instant.class);
    this.errorsWriter = json.writerFor(new TypeReference<List<SymbolError>>() {});
    this.heads = Caffeine.newBuilder().maximumSize(maxEntries).recordStats().build();
    CaffeineCacheMetrics.monitor(registry, heads, "quote.json");
    selfCheck(json);
  }

  /** Exactly {@code json.writeValueAsBytes(QuoteView.of(entry, stale, now))}. */
  byte[] quote(Cached<Quote> entry, boolean stale, Instant now) {
    Out out = new Out(head(entry).length + 40);
    writeQuote(out, entry, stale, now);
    return out.toByteArray();
  }

  /** Exactly {@code json.writeValueAsBytes(new QuoteBatchView(asOf, requested, views, errors))}. */
  byte[] batch(Instant asOf, int requested, List<QuoteResult.Found> found, List<SymbolError> errors, Instant now) {
    Out out = new Out(64 + found.size() * 320);
    out.write(BATCH_AS_OF);
    out.write(instantWriter.writeValueAsBytes(asOf));
    out.write(BATCH_REQUESTED);
    out.ascii(Integer.toString(requested));
    out.write(BATCH_QUOTES);
    for (int i = 0; i < found.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      QuoteResult.Found f = found.get(i);
      writeQuote(out, f.entry(), f.stale(), now);
    }
    out.write(BATCH_ERRORS);
    out.write(errorsWriter.writeValueAsBytes(errors));
    out.write('}');
    return out.toByteArray();
  }

  private void writeQuote(Out out, Cached<Quote> entry, boolean stale, Instant now) {
    out.write(head(entry));
    out.write(AGE);
    out.ascii(Long.toString(entry.age(now).toMillis()));
    out.write(stale ? STALE_TRUE : STALE_FALSE);
  }

  /** The head of {@code entry} without its closing brace, encoded once per entry. */
  private byte[] head(Cached<Quote> entry) {
    String symbol = entry.value().symbol();
    Encoded e = heads.getIfPresent(symbol);
    if (e == null || e.entry() != entry) {
      byte[] whole = headWriter.writeValueAsBytes(Head.of(entry));
      e = new Encoded(entry, Arrays.copyOf(whole, whole.length - 1)); // drop the '}'
      heads.put(symbol, e);
    }
    return e.open();
  }

  private void selfCheck(JsonMapper json) {
    Quote q = new Quote("CHECK", new BigDecimal("101.25"), new BigDecimal("-0.75"), null, new BigDecimal("102"),
        null, null, null, 1234L, "USD", Boolean.TRUE, Instant.parse("2026-01-02T15:04:05.123Z"), "sim");
    Instant fetched = Instant.parse("2026-01-02T15:04:05.987654321Z");
    Cached<Quote> entry = new Cached<>(q, fetched, fetched.plusSeconds(5));
    Instant now = fetched.plusMillis(42);
    byte[] expected = json.writeValueAsBytes(QuoteView.of(entry, true, now));
    byte[] actual = quote(entry, true, now);
    List<SymbolError> errors = List.of(new SymbolError("NOPE", 404, "unknown-symbol", "unknown symbol: NOPE"));
    byte[] expectedBatch = json.writeValueAsBytes(new QuoteBatchView(now, 2, List.of(QuoteView.of(entry, false, now)), errors));
    byte[] actualBatch = batch(now, 2, List.of(new QuoteResult.Found("CHECK", entry, QuoteResult.Origin.CACHE)), errors, now);
    heads.invalidate("CHECK");
    if (!Arrays.equals(expected, actual) || !Arrays.equals(expectedBatch, actualBatch)) {
      throw new IllegalStateException("quote JSON differs from Jackson's encoding of QuoteView/QuoteBatchView: "
          + new String(actual, StandardCharsets.UTF_8) + " vs " + new String(expected, StandardCharsets.UTF_8));
    }
  }

  /** An unsynchronised byte buffer. */
  private static final class Out extends ByteArrayOutputStream {

    Out(int size) {
      super(size);
    }

    @Override
    public void write(byte[] b) {
      write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      ensure(count + len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    @Override
    public void write(int b) {
      ensure(count + 1);
      buf[count++] = (byte) b;
    }

    void ascii(String s) {
      ensure(count + s.length());
      for (int i = 0; i < s.length(); i++) {
        buf[count++] = (byte) s.charAt(i);
      }
    }

    private void ensure(int capacity) {
      if (capacity > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(capacity, buf.length * 2));
      }
    }
  }
}
