package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CacheKeysTest {

  private final CacheKeys keys = new CacheKeys("qg");

  @Test
  void valueAndLeaseKeysCarryTheSchemaVersionAndShareAHashTag() {
    assertThat(keys.value(CacheKind.QUOTE, "AAPL")).isEqualTo("qg:c1:quote:{AAPL}");
    assertThat(keys.lease(CacheKind.QUOTE, "AAPL")).isEqualTo("qg:c1:quote:{AAPL}:lease");
    assertThat(keys.fillsChannel()).isEqualTo("qg:c1:fills");
    assertThat(keys.idOf(CacheKind.QUOTE, "qg:c1:quote:{BRK.B}")).isEqualTo("BRK.B");
    assertThat(keys.idOf(CacheKind.NEWS, "qg:c1:quote:{BRK.B}")).as("key of another kind").isNull();
  }

  @Test
  void refusesIdsThatCouldBreakHashTagsOrPatterns() {
    assertThatThrownBy(() -> keys.value(CacheKind.QUOTE, "A}B")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> keys.value(CacheKind.QUOTE, "A*")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> keys.value(CacheKind.QUOTE, "")).isInstanceOf(IllegalArgumentException.class);
    assertThat(CacheKeys.hashed("apple inc")).hasSize(64).matches("[0-9a-f]+");
  }

  @Test
  void globMatchesLikeRedis() {
    assertThat(CacheKeys.globMatches("A*", "AAPL")).isTrue();
    assertThat(CacheKeys.globMatches("A*", "MSFT")).isFalse();
    assertThat(CacheKeys.globMatches("*", "")).isTrue();
    assertThat(CacheKeys.globMatches("MS?T", "MSFT")).isTrue();
    assertThat(CacheKeys.globMatches("MS?T", "MSFFT")).isFalse();
    assertThat(CacheKeys.globMatches("*.B", "BRK.B")).isTrue();
    assertThat(CacheKeys.globMatches("A*L", "AAPL")).isTrue();
    assertThat(CacheKeys.globMatches("AAPL", "AAPLX")).isFalse();
  }
}
