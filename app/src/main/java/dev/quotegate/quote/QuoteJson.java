package dev.quotegate.quote;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quotegate.cache.Cached;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteBatchView.SymbolError;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * head (the view encoded by Jackson, with the application's mapper, its last two fields cut
 * off) is kept in a bounded cache per symbol until the symbol is refetched; an answer is the
 * head plus {@code ,"ageMs":N,"stale":B}. A dashboard poll of 50 quotes thus encodes nothing but numbers, where Jackson's encoding of the views was
 * the largest item of the profile under the dashboard load (docs/benchmarks.md).
 *
 * <p>The bytes are exactly Jackson's encoding of {@link QuoteView} and {@link QuoteBatchView}:
 * the constructor checks this on a sample with the mapper it is given and refuses to start
 * otherwise (a mapper setting that reorders or renames properties would show there), and
 * {@code QuoteJsonTest} checks it on random quotes.
 *
 * <p>The heads are held in a bounded Caffeine cache (one per symbol, replaced when the quote
 * is refetched; meters {@code cache.*{cache=quote.json}}). The streams encode their events'
 * quote arrays with it too ({@link #array}): a thousand subscribers of a symbol share one
 * encoding of each fetched quote.
 */
public final class QuoteJson {

  /** One quote of an array: the cache entry (or its parts) and whether it is served stale. */
  public record Item(Quote quote, Instant fetchedAt, boolean stale) {}

  /** A head and the quote it encodes (the quote compared by identity, with its fetch time). */
  private record Encoded(Quote quote, Instant fetchedAt, byte[] open) {}

  private static final byte[] AGE = ",\"ageMs\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STALE_TRUE = ",\"stale\":true}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STALE_FALSE = ",\"stale\":false}".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_AS_OF = "{\"asOf\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_REQUESTED = ",\"requested\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_QUOTES = ",\"quotes\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_ERRORS = "],\"errors\":".getBytes(StandardCharsets.US_ASCII);

  /** How Jackson ends the view encoded as a head: cut off, then written per answer. */
  private static final byte[] HEAD_SUFFIX = ",\"ageMs\":0,\"stale\":false}".getBytes(StandardCharsets.US_ASCII);

  private final ObjectWriter viewWriter;
  private final ObjectWriter instantWriter;
  private final ObjectWriter errorsWriter;
  private final Cache<String, Encoded> heads;

  public QuoteJson(JsonMapper json, long maxEntries, MeterRegistry registry) {
    this.viewWriter = json.writerFor(QuoteView.class);
    this.instantWriter = json.writerFor(Instant.class);
    this.errorsWriter = json.writerFor(new TypeReference<List<SymbolError>>() {});
    this.heads = Caffeine.newBuilder().maximumSize(maxEntries).recordStats().build();
    CaffeineCacheMetrics.monitor(registry, heads, "quote.json");
    selfCheck(json);
  }

  /** Exactly {@code json.writeValueAsBytes(QuoteView.of(entry, stale, now))}. */
  byte[] quote(Cached<Quote> entry, boolean stale, Instant now) {
    Out out = new Out(384);
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

  /**
   * Exactly {@code json.writeValueAsBytes(views)} where {@code views} are the
   * {@link QuoteView}s of {@code items} at {@code now}.
   */
  public byte[] array(List<Item> items, Instant now) {
    Out out = new Out(2 + items.size() * 320);
    out.write('[');
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      Item item = items.get(i);
      writeQuote(out, item.quote(), item.fetchedAt(), item.stale(), now);
    }
    out.write(']');
    return out.toByteArray();
  }

  private void writeQuote(Out out, Cached<Quote> entry, boolean stale, Instant now) {
    writeQuote(out, entry.value(), entry.fetchedAt(), stale, now);
  }

  private void writeQuote(Out out, Quote quote, Instant fetchedAt, boolean stale, Instant now) {
    out.write(head(quote, fetchedAt));
    out.write(AGE);
    // As Cached.age(now).toMillis(): the duration truncated to milliseconds, never negative.
    Duration age = Duration.between(fetchedAt, now);
    out.ascii(Long.toString(age.isNegative() ? 0 : age.toMillis()));
    out.write(stale ? STALE_TRUE : STALE_FALSE);
  }

  /** A fetched quote's view without its last two fields and closing brace, encoded once per fetch. */
  private byte[] head(Quote quote, Instant fetchedAt) {
    String symbol = quote.symbol();
    Encoded e = heads.getIfPresent(symbol);
    if (e == null || e.quote() != quote || !e.fetchedAt().equals(fetchedAt)) {
      // The view itself at age 0, not stale; its last two fields are cut off and written per
      // answer (the self-check at start proves the cut is where they are).
      byte[] whole = viewWriter.writeValueAsBytes(QuoteView.of(new Cached<>(quote, fetchedAt, fetchedAt), false, fetchedAt));
      int cut = whole.length - HEAD_SUFFIX.length;
      if (cut <= 0 || !Arrays.equals(whole, cut, whole.length, HEAD_SUFFIX, 0, HEAD_SUFFIX.length)) {
        throw new IllegalStateException("quote JSON differs from Jackson's encoding of QuoteView: it does not end with"
            + " ageMs and stale: " + new String(whole, StandardCharsets.UTF_8));
      }
      e = new Encoded(quote, fetchedAt, Arrays.copyOf(whole, cut));
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
    byte[] expectedArray = json.writeValueAsBytes(List.of(QuoteView.of(entry, false, now)));
    byte[] actualArray = array(List.of(new Item(q, fetched, false)), now);
    heads.invalidate("CHECK");
    if (!Arrays.equals(expected, actual) || !Arrays.equals(expectedBatch, actualBatch)
        || !Arrays.equals(expectedArray, actualArray)) {
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
