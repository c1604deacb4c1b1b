package dev.quotegate.provider;

import static dev.quotegate.provider.SymbolNormalizer.fromProvider;
import static dev.quotegate.provider.SymbolNormalizer.toProvider;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.provider.SymbolNormalizer.Convention;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SymbolNormalizerTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "AAPL, AAPL",
    "brk.b, BRK.B",
    "BRK-B, BRK.B",
    "BF-A, BF.A",
    "VOD.L, VOD.L",
    "RDS-A.L, RDS.A.L",
    "X.V, X.V",
    "^GSPC, ^GSPC",
    "eurusd=x, EURUSD=X",
    "CL=F, CL=F",
    "BTC-USD, BTC-USD"
  })
  void canonicalFormUsesDotsForShareClassesAndKeepsExchangeSuffixes(String in, String out) {
    assertThat(SymbolNormalizer.canonical(in)).isEqualTo(out);
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource(nullValues = "-", value = {
    "YAHOO, BRK.B, BRK-B",
    "YAHOO, BRK-B, BRK-B",
    "YAHOO, VOD.L, VOD.L",
    "YAHOO, ^GSPC, ^GSPC",
    "YAHOO, EURUSD=X, EURUSD=X",
    "YAHOO, VNM.VN, VNM.VN",
    "FINNHUB, BRK-B, BRK.B",
    "FINNHUB, VOD.L, VOD.L",
    "FINNHUB, ^GSPC, ^GSPC",
    "FINNHUB, EURUSD=X, -",
    "ALPHA_VANTAGE, BRK.B, BRK-B",
    "ALPHA_VANTAGE, TSCO.L, TSCO.LON",
    "ALPHA_VANTAGE, SHOP.TO, SHOP.TRT",
    "ALPHA_VANTAGE, VNM.VN, -",
    "ALPHA_VANTAGE, ^GSPC, -",
    "POLYGON, BRK-B, BRK.B",
    "POLYGON, AAPL, AAPL",
    "POLYGON, VOD.L, -",
    "POLYGON, ^GSPC, -",
    "TWELVE_DATA, BRK-B, BRK.B",
    "TWELVE_DATA, VOD.L, VOD:LSE",
    "TWELVE_DATA, VNM.VN, VNM:HOSE",
    "TWELVE_DATA, EURUSD=X, EUR/USD",
    "TWELVE_DATA, ^GSPC, -"
  })
  void translatesToEachProvidersConvention(Convention c, String in, String out) {
    assertThat(toProvider(c, in)).isEqualTo(Optional.ofNullable(out));
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @CsvSource({
    "YAHOO, BRK-B, BRK.B",
    "YAHOO, vod.l, VOD.L",
    "ALPHA_VANTAGE, TSCO.LON, TSCO.L",
    "ALPHA_VANTAGE, BRK-B, BRK.B",
    "TWELVE_DATA, VOD:LSE, VOD.L",
    "TWELVE_DATA, EUR/USD, EURUSD=X",
    "POLYGON, BRK.B, BRK.B",
    "FINNHUB, AAPL, AAPL"
  })
  void readsProviderSymbolsBackIntoGatewayForm(Convention c, String in, String out) {
    assertThat(fromProvider(c, in)).isEqualTo(out);
  }
}
