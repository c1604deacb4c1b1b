package dev.quotegate.cache;

import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.dataformat.cbor.CBORMapper;

/**
 * The bytes of a {@link Cached} value in Redis: one format byte, then the value, its fetch time
 * and its expiry as one Jackson document.
 *
 * <p>The format byte versions the encoding itself ({@link #CBOR_V1}: CBOR, chosen over JSON and
 * Smile by the figures in docs/benchmarks.md "Cache tiers": smallest, fastest to decode). A value whose format byte this
 * gateway does not know, or that does not decode, is treated as a miss (and counted), so a
 * format change needs no flush: old entries age out. Fields are named, so adding a nullable
 * field to a value type is compatible both ways; renaming or retyping one needs a new
 * {@link CacheKeys#SCHEMA}.
 *
 * @param <V> value type, a record Jackson can read and write
 */
public final class ValueCodec<V> {

  /** CBOR with timestamps as numbers. */
  public static final byte CBOR_V1 = 2;

  /** The document inside: short names keep it small. */
  record Envelope<V>(V v, Instant f, Instant e) {}

  private final byte format;
  private final ObjectWriter writer;
  private final ObjectReader reader;

  private ValueCodec(ObjectMapper mapper, byte format, Class<V> type) {
    this.format = format;
    JavaType envelope = mapper.getTypeFactory().constructParametricType(Envelope.class, type);
    this.writer = mapper.writerFor(envelope);
    this.reader = mapper.readerFor(envelope);
  }

  /** The gateway's encoding: {@link #CBOR_V1}. */
  public static <V> ValueCodec<V> cbor(Class<V> type) {
    return new ValueCodec<>(
        CBORMapper.builder().enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS).build(), CBOR_V1, type);
  }

  /** Any Jackson format under a given format byte (the benchmark compares JSON, Smile, CBOR). */
  public static <V> ValueCodec<V> of(ObjectMapper mapper, byte format, Class<V> type) {
    return new ValueCodec<>(Objects.requireNonNull(mapper, "mapper"), format, Objects.requireNonNull(type, "type"));
  }

  public byte[] encode(Cached<V> value) {
    byte[] doc = writer.writeValueAsBytes(new Envelope<>(value.value(), value.fetchedAt(), value.expiresAt()));
    byte[] out = new byte[doc.length + 1];
    out[0] = format;
    System.arraycopy(doc, 0, out, 1, doc.length);
    return out;
  }

  /**
   * The value in {@code bytes}.
   *
   * @throws IllegalArgumentException for an unknown format byte or bytes that do not decode
   */
  public Cached<V> decode(byte[] bytes) {
    if (bytes == null || bytes.length < 2 || bytes[0] != format) {
      throw new IllegalArgumentException(
          "unknown cache value format " + (bytes == null || bytes.length == 0 ? "(empty)" : bytes[0]));
    }
    try {
      Envelope<V> e = reader.readValue(bytes, 1, bytes.length - 1);
      return new Cached<>(e.v(), e.f(), e.e());
    } catch (RuntimeException ex) {
      throw new IllegalArgumentException("cache value does not decode: " + ex.getClass().getSimpleName(), ex);
    }
  }
}
