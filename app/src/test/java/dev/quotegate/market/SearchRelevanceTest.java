package dev.quotegate.market;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.provider.SearchHit;
import dev.quotegate.simulator.Instrument;
import dev.quotegate.simulator.Universe;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixed relevance set: query -> the symbols expected at the top, over the embedded
 * default's universe (the simulator's 500 listings, seed 42), ranked by the Lucene index.
 */
class SearchRelevanceTest {

  private static SearchIndex index;

  @BeforeAll
  static void build() {
    index = new SearchIndex(props(), new SimpleMeterRegistry());
    List<SearchHit> listed = Universe.generate(42, 500).instruments().stream()
        .map(SearchRelevanceTest::hit).toList();
    index.ensureUniverse(listed).block(Duration.ofSeconds(30));
  }

  @AfterAll
  static void close() {
    index.close();
  }

  static SearchProperties props() {
    return new SearchProperties(20000, 100, 8, 2, 16, Duration.ofMillis(10), 10000, true);
  }

  static SearchHit hit(Instrument i) {
    return new SearchHit(i.symbol(), i.name(), i.exchange(), "EQUITY", i.sector(), "sim", null, i.industry());
  }

  /** Query -> expected first result. */
  static Stream<Arguments> top() {
    return Stream.of(
        Arguments.of("AAPL", "AAPL"),
        Arguments.of("aapl", "AAPL"),
        Arguments.of("apple", "AAPL"),
        Arguments.of("appel", "AAPL"),
        Arguments.of("aple", "AAPL"),
        Arguments.of("micro soft", "MSFT"),
        Arguments.of("microsoft", "MSFT"),
        Arguments.of("mircosoft", "MSFT"),
        Arguments.of("msft", "MSFT"),
        Arguments.of("nvidia", "NVDA"),
        Arguments.of("nvdia", "NVDA"),
        Arguments.of("amazon", "AMZN"),
        Arguments.of("alphabet class c", "GOOG"),
        Arguments.of("advanced micro", "AMD"),
        Arguments.of("intel", "INTC"),
        Arguments.of("GOO", "GOOG"));
  }

  @ParameterizedTest(name = "{0} -> {1} first")
  @MethodSource("top")
  void ranksTheExpectedInstrumentFirst(String query, String expected) {
    List<String> got = symbols(query, 5);
    assertThat(got).as("top 5 of '%s'", query).isNotEmpty();
    assertThat(got.get(0)).as("first hit of '%s' (top 5: %s)", query, got).isEqualTo(expected);
  }

  @Test
  void findsSemiconductorCompaniesByIndustry() {
    List<String> got = symbols("semiconductor", 10);
    assertThat(got).as("semiconductor").contains("NVDA", "AVGO", "AMD", "INTC", "QCOM");
    List<String> plural = symbols("semiconductors", 10);
    assertThat(plural).as("the plural ranks the same set").containsAll(got.subList(0, 5));
  }

  @Test
  void findsBySector() {
    List<String> got = symbols("health care", 10);
    assertThat(got).hasSize(10);
    Universe u = Universe.generate(42, 500);
    for (String s : got) {
      assertThat(u.find(s).orElseThrow().sector()).as(s).isEqualTo("Health Care");
    }
  }

  @Test
  void exactSymbolBeatsNameMatches() {
    // "MA" is Mastercard's symbol and a prefix of many names: the symbol wins.
    assertThat(symbols("MA", 3).get(0)).isEqualTo("MA");
  }

  @Test
  void nonsenseFindsNothing() {
    assertThat(index.search("zzqxv qqqzz", 0, 10).total()).isZero();
  }

  @Test
  void pagesDoNotOverlapAndCoverTheRanking() {
    List<String> all = symbols("technologies", 30);
    assertThat(all).hasSizeGreaterThan(12);
    List<String> first = index.search("technologies", 0, 6).hits().stream().map(h -> h.hit().symbol()).toList();
    List<String> second = index.search("technologies", 6, 6).hits().stream().map(h -> h.hit().symbol()).toList();
    assertThat(first).containsExactlyElementsOf(all.subList(0, 6));
    assertThat(second).containsExactlyElementsOf(all.subList(6, 12));
  }

  @Test
  void learntListingsAreIndexed() {
    SearchIndex own = new SearchIndex(props(), new SimpleMeterRegistry());
    try {
      own.ensureUniverse(List.of(new SearchHit("AAPL", "Apple Inc.", "NASDAQ", "EQUITY", "Information Technology", "sim")))
          .block(Duration.ofSeconds(10));
      assertThat(own.search("vodafone", 0, 5).total()).isZero();
      own.learn(List.of(new SearchIndex.Listing(
          new SearchHit("VOD.L", "Vodafone Group Plc", "LSE", "EQUITY", null, "yahoo", "XLON"), "Telecommunications group")));
      own.caughtUp().block(Duration.ofSeconds(10));
      assertThat(own.search("vodafone", 0, 5).hits()).extracting(h -> h.hit().symbol()).containsExactly("VOD.L");
      assertThat(own.search("VOD", 0, 5).hits().get(0).hit().symbol()).as("suffix-less symbol").isEqualTo("VOD.L");
      assertThat(own.search("telecommunications", 0, 5).hits()).as("description").hasSize(1);
    } finally {
      own.close();
    }
  }

  private static List<String> symbols(String q, int n) {
    return index.search(q, 0, n).hits().stream().map(h -> h.hit().symbol()).toList();
  }
}
