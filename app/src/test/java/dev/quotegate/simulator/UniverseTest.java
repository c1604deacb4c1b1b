package dev.quotegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UniverseTest {

  private final Universe universe = Universe.generate(42, 500);

  @Test
  void sameSeedGivesTheSameUniverse() {
    assertThat(Universe.generate(42, 500).instruments()).isEqualTo(universe.instruments());
  }

  @Test
  void differentSeedGivesDifferentGeneratedCompanies() {
    List<Instrument> other = Universe.generate(7, 500).instruments();
    assertThat(other.subList(0, Universe.realCount()))
        .isEqualTo(universe.instruments().subList(0, Universe.realCount()));
    assertThat(other.subList(Universe.realCount(), 500))
        .isNotEqualTo(universe.instruments().subList(Universe.realCount(), 500));
  }

  @Test
  void holdsAtLeastFiveHundredUniqueTickers() {
    assertThat(universe.size()).isEqualTo(500);
    Set<String> tickers = new HashSet<>();
    universe.instruments().forEach(i -> tickers.add(i.symbol()));
    assertThat(tickers).hasSize(500);
  }

  @Test
  void includesTheFamiliarLargeCapsWithRealNamesAndListings() {
    assertThat(Universe.realCount()).isBetween(40, 60);
    for (String symbol : List.of("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "TSLA",
        "BRK.B", "JPM", "V", "MA", "UNH", "XOM", "JNJ", "WMT", "PG", "HD", "COST", "AVGO", "ORCL",
        "KO", "PEP", "BAC", "NFLX", "AMD", "INTC", "CRM", "ADBE", "DIS")) {
      assertThat(universe.find(symbol)).as(symbol).isPresent();
    }
    Instrument apple = universe.find("aapl").orElseThrow();
    assertThat(apple.name()).isEqualTo("Apple Inc.");
    assertThat(apple.exchange()).isEqualTo("NASDAQ");
    assertThat(apple.sector()).isEqualTo("Information Technology");
    assertThat(universe.find("JPM").orElseThrow().exchange()).isEqualTo("NYSE");
    assertThat(universe.find("XOM").orElseThrow().sector()).isEqualTo("Energy");
  }

  @Test
  void generatedTickersArePronounceableAndNeverShadowRealOnes() {
    Set<String> real = new HashSet<>();
    universe.instruments().subList(0, Universe.realCount()).forEach(i -> real.add(i.symbol()));
    for (Instrument i : universe.instruments().subList(Universe.realCount(), 500)) {
      assertThat(i.symbol()).matches("[BCDFGHKLMNPRSTVZ][AEIOU][BCDFGHKLMNPRSTVZ][AEIOU]?");
      assertThat(real).doesNotContain(i.symbol());
      assertThat(i.exchange()).isIn("NYSE", "NASDAQ");
      assertThat(Universe.SECTORS).containsKey(i.sector());
      assertThat(Universe.SECTORS.get(i.sector())).contains(i.industry());
      assertThat(i.currency()).isEqualTo("USD");
      assertThat(i.basePrice()).isPositive();
    }
  }

  @Test
  void coversAllElevenSectors() {
    Set<String> sectors = new HashSet<>();
    universe.instruments().forEach(i -> sectors.add(i.sector()));
    assertThat(sectors).containsAll(Universe.SECTORS.keySet());
    assertThat(Universe.SECTORS).hasSize(11);
  }

  @Test
  void smallUniverseKeepsTheFirstLargeCaps() {
    assertThat(Universe.generate(42, 3).instruments())
        .extracting(Instrument::symbol)
        .containsExactly("AAPL", "MSFT", "NVDA");
    assertThatIllegalArgumentException().isThrownBy(() -> Universe.generate(42, 0));
  }

  @Test
  void searchListsSymbolPrefixMatchesBeforeNameMatches() {
    List<Instrument> results = universe.search("ma", 50);
    assertThat(results).isNotEmpty();
    assertThat(results.get(0).symbol()).isEqualTo("MA");
    int firstNameOnly = -1;
    for (int i = 0; i < results.size(); i++) {
      boolean symbolMatch = results.get(i).symbol().startsWith("MA");
      if (!symbolMatch && firstNameOnly < 0) {
        firstNameOnly = i;
      }
      if (firstNameOnly >= 0) {
        assertThat(symbolMatch).as("symbol matches come first").isFalse();
        assertThat(results.get(i).name().toLowerCase()).contains("ma");
      }
    }
    assertThat(universe.search("apple", 10)).extracting(Instrument::symbol).containsExactly("AAPL");
    assertThat(universe.search("ma", 2)).hasSize(2);
  }
}
