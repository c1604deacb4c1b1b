package dev.quotegate.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotegate.platform.GatewayException.InvalidParam;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SymbolParamsTest {

  @Test
  void acceptsCommonSymbolShapesAndUpperCasesThem() {
    assertThat(SymbolParams.symbols("symbols", "aapl,BRK.B,brk-b,^GSPC,EURUSD=X,VOD.L,7203.T", 100))
        .containsExactly("AAPL", "BRK.B", "BRK-B", "^GSPC", "EURUSD=X", "VOD.L", "7203.T");
  }

  @Test
  void removesDuplicatesKeepingFirstSeenOrder() {
    assertThat(SymbolParams.symbols("symbols", "MSFT,AAPL,msft,NVDA,AAPL", 100))
        .containsExactly("MSFT", "AAPL", "NVDA");
  }

  @Test
  void rejectsMoreEntriesThanTheLimitCountingDuplicates() {
    String raw = String.join(",", Collections.nCopies(101, "AAPL"));
    assertThatThrownBy(() -> SymbolParams.symbols("symbols", raw, 100))
        .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.params())
            .extracting(InvalidParam::name).containsExactly("symbols"))
        .hasMessageContaining("at most 100").hasMessageContaining("101");
  }

  @Test
  void namesTheEmptyEntry() {
    assertThatThrownBy(() -> SymbolParams.symbols("symbols", "AAPL,,MSFT", 100))
        .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.params())
            .extracting(InvalidParam::name).containsExactly("symbols[1]"));
  }

  @Test
  void namesEveryInvalidEntry() {
    assertThatThrownBy(() -> SymbolParams.symbols("symbols", "A;DROP,MSFT,<script>,TOOLONGSYMBOLNAME12", 100))
        .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.params())
            .extracting(InvalidParam::name).containsExactly("symbols[0]", "symbols[2]", "symbols[3]"));
  }

  @Test
  void rejectsMissingOrBlankList() {
    assertThatThrownBy(() -> SymbolParams.symbols("symbols", null, 100)).isInstanceOf(InvalidRequest.class)
        .hasMessageStartingWith("symbols: required");
    assertThatThrownBy(() -> SymbolParams.symbols("symbols", " ", 100)).isInstanceOf(InvalidRequest.class);
  }

  @Test
  void rejectsSymbolsWithUrlOrControlCharacters() {
    for (String bad : new String[] {"A&B", "A/B", "A?B", "A B", "A#", "A%20", "a\nb", ".AAPL", "-X", "^", "A^B"}) {
      assertThatThrownBy(() -> SymbolParams.symbol("symbol", bad)).as(bad).isInstanceOf(InvalidRequest.class);
    }
  }

  @Test
  void fastPathAgreesWithTheReferencePatternOnEveryShape() {
    java.util.regex.Pattern reference = java.util.regex.Pattern.compile("\\^?[A-Z0-9][A-Z0-9.=-]{0,15}");
    String alphabet = "aZ09.=-^ _;\t/ıßé";
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int n = 0; n < 50_000; n++) {
      StringBuilder sb = new StringBuilder();
      int len = random.nextInt(20);
      for (int k = 0; k < len; k++) {
        sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String raw = sb.toString();
      // the reference: ASCII only (before any case mapping), then upper-case and the pattern
      boolean ascii = raw.chars().allMatch(c -> c < 0x80);
      String expected = !ascii || raw.isBlank() || !reference.matcher(raw.trim().toUpperCase(java.util.Locale.ROOT)).matches()
          ? null : raw.trim().toUpperCase(java.util.Locale.ROOT);
      assertThat(SymbolParams.normalize(raw)).as("'%s'", raw).isEqualTo(expected);
    }
  }

  @Test
  void unicodeCaseMappingNeverMakesASymbol() {
    // each of these upper-cases (Locale.ROOT) to a valid-looking ASCII symbol
    for (String raw : List.of("maß", "ﬀ", "ı", "aapĺ", "ＡＡＰＬ", "aapl\u200b", "K\u212a")) {
      assertThat(SymbolParams.normalize(raw)).as(raw).isNull();
      assertThatThrownBy(() -> SymbolParams.symbol("symbol", raw)).isInstanceOf(InvalidRequest.class)
          .hasMessageContaining("ASCII");
    }
  }
}
