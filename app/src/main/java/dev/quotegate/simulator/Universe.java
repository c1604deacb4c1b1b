package dev.quotegate.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The simulated exchange's listed equities: about sixty real US large caps (real names, listing
 * venues and GICS classification; prices and share counts are rough 2025 levels) followed by
 * generated companies with pronounceable 3–4 letter tickers.
 *
 * <p>The universe is a pure function of {@code (seed, size)}: same arguments, same instruments in
 * the same order. Immutable and thread-safe.
 */
public final class Universe {

  /** The eleven GICS sectors and a few sub-industries of each, for generated companies. */
  static final Map<String, List<String>> SECTORS =
      Map.ofEntries(
          Map.entry(
              "Information Technology",
              List.of("Application Software", "Semiconductors", "Systems Software",
                  "Communications Equipment", "IT Consulting & Other Services")),
          Map.entry(
              "Health Care",
              List.of("Biotechnology", "Pharmaceuticals", "Health Care Equipment",
                  "Managed Health Care", "Life Sciences Tools & Services")),
          Map.entry(
              "Financials",
              List.of("Regional Banks", "Asset Management & Custody Banks",
                  "Property & Casualty Insurance", "Transaction & Payment Processing",
                  "Investment Banking & Brokerage")),
          Map.entry(
              "Consumer Discretionary",
              List.of("Restaurants", "Apparel Retail", "Automobile Manufacturers",
                  "Hotels, Resorts & Cruise Lines", "Homebuilding")),
          Map.entry(
              "Communication Services",
              List.of("Interactive Media & Services", "Movies & Entertainment",
                  "Integrated Telecommunication Services", "Advertising")),
          Map.entry(
              "Industrials",
              List.of("Aerospace & Defense", "Industrial Machinery", "Air Freight & Logistics",
                  "Building Products", "Electrical Components & Equipment")),
          Map.entry(
              "Consumer Staples",
              List.of("Packaged Foods & Meats", "Household Products", "Soft Drinks",
                  "Food Retail", "Personal Care Products")),
          Map.entry(
              "Energy",
              List.of("Oil & Gas Exploration & Production", "Integrated Oil & Gas",
                  "Oil & Gas Equipment & Services", "Oil & Gas Storage & Transportation")),
          Map.entry(
              "Utilities",
              List.of("Electric Utilities", "Multi-Utilities", "Gas Utilities",
                  "Renewable Electricity")),
          Map.entry(
              "Real Estate",
              List.of("Industrial REITs", "Residential REITs", "Data Center REITs",
                  "Retail REITs", "Real Estate Services")),
          Map.entry(
              "Materials",
              List.of("Specialty Chemicals", "Industrial Gases", "Steel", "Gold",
                  "Paper & Plastic Packaging Products")));

  private static final List<String> SECTOR_NAMES = List.copyOf(new java.util.TreeSet<>(SECTORS.keySet()));

  private static final Map<String, List<String>> NAME_SUFFIXES =
      Map.ofEntries(
          Map.entry("Information Technology", List.of("Technologies", "Systems", "Software", "Networks", "Micro")),
          Map.entry("Health Care", List.of("Therapeutics", "Biosciences", "Medical", "Health", "Pharma")),
          Map.entry("Financials", List.of("Financial", "Bancorp", "Capital", "Holdings", "Payments")),
          Map.entry("Consumer Discretionary", List.of("Brands", "Motors", "Resorts", "Retail", "Homes")),
          Map.entry("Communication Services", List.of("Media", "Communications", "Interactive", "Studios")),
          Map.entry("Industrials", List.of("Industries", "Aerospace", "Logistics", "Machinery", "Electric")),
          Map.entry("Consumer Staples", List.of("Foods", "Brands", "Beverages", "Markets", "Consumer")),
          Map.entry("Energy", List.of("Energy", "Petroleum", "Resources", "Midstream")),
          Map.entry("Utilities", List.of("Power", "Utilities", "Energy", "Gas & Electric")),
          Map.entry("Real Estate", List.of("Realty", "Properties", "REIT", "Residential")),
          Map.entry("Materials", List.of("Materials", "Chemicals", "Steel", "Mining", "Packaging")));

  private static final String CONSONANTS = "BCDFGHKLMNPRSTVZ";
  private static final String VOWELS = "AEIOU";

  // symbol|name|exchange|sector|industry|price|shares (millions)|employees|website|daily vol
  private static final List<String> REAL =
      List.of(
          "AAPL|Apple Inc.|NASDAQ|Information Technology|Technology Hardware, Storage & Peripherals|230|14900|164000|https://www.apple.com|0.016",
          "MSFT|Microsoft Corporation|NASDAQ|Information Technology|Systems Software|500|7430|228000|https://www.microsoft.com|0.014",
          "NVDA|NVIDIA Corporation|NASDAQ|Information Technology|Semiconductors|180|24300|36000|https://www.nvidia.com|0.030",
          "AMZN|Amazon.com, Inc.|NASDAQ|Consumer Discretionary|Broadline Retail|220|10600|1556000|https://www.amazon.com|0.019",
          "GOOGL|Alphabet Inc. Class A|NASDAQ|Communication Services|Interactive Media & Services|200|5800|183000|https://abc.xyz|0.018",
          "GOOG|Alphabet Inc. Class C|NASDAQ|Communication Services|Interactive Media & Services|201|5500|183000|https://abc.xyz|0.018",
          "META|Meta Platforms, Inc.|NASDAQ|Communication Services|Interactive Media & Services|700|2520|76000|https://www.meta.com|0.022",
          "TSLA|Tesla, Inc.|NASDAQ|Consumer Discretionary|Automobile Manufacturers|330|3220|125000|https://www.tesla.com|0.035",
          "BRK.B|Berkshire Hathaway Inc. Class B|NYSE|Financials|Multi-Sector Holdings|480|2160|392000|https://www.berkshirehathaway.com|0.010",
          "JPM|JPMorgan Chase & Co.|NYSE|Financials|Diversified Banks|280|2780|317000|https://www.jpmorganchase.com|0.015",
          "V|Visa Inc.|NYSE|Financials|Transaction & Payment Processing|340|1950|31600|https://www.visa.com|0.012",
          "MA|Mastercard Incorporated|NYSE|Financials|Transaction & Payment Processing|560|910|35300|https://www.mastercard.com|0.013",
          "UNH|UnitedHealth Group Incorporated|NYSE|Health Care|Managed Health Care|300|905|400000|https://www.unitedhealthgroup.com|0.020",
          "XOM|Exxon Mobil Corporation|NYSE|Energy|Integrated Oil & Gas|110|4300|61000|https://corporate.exxonmobil.com|0.015",
          "JNJ|Johnson & Johnson|NYSE|Health Care|Pharmaceuticals|165|2400|138000|https://www.jnj.com|0.010",
          "WMT|Walmart Inc.|NASDAQ|Consumer Staples|Consumer Staples Merchandise Retail|100|8000|2100000|https://www.walmart.com|0.011",
          "PG|The Procter & Gamble Company|NYSE|Consumer Staples|Household Products|155|2350|108000|https://www.pg.com|0.010",
          "HD|The Home Depot, Inc.|NYSE|Consumer Discretionary|Home Improvement Retail|380|995|470000|https://www.homedepot.com|0.014",
          "COST|Costco Wholesale Corporation|NASDAQ|Consumer Staples|Consumer Staples Merchandise Retail|950|443|333000|https://www.costco.com|0.012",
          "AVGO|Broadcom Inc.|NASDAQ|Information Technology|Semiconductors|300|4700|37000|https://www.broadcom.com|0.028",
          "ORCL|Oracle Corporation|NYSE|Information Technology|Systems Software|230|2800|162000|https://www.oracle.com|0.022",
          "KO|The Coca-Cola Company|NYSE|Consumer Staples|Soft Drinks & Non-alcoholic Beverages|70|4300|69700|https://www.coca-colacompany.com|0.009",
          "PEP|PepsiCo, Inc.|NASDAQ|Consumer Staples|Soft Drinks & Non-alcoholic Beverages|145|1370|319000|https://www.pepsico.com|0.010",
          "BAC|Bank of America Corporation|NYSE|Financials|Diversified Banks|48|7500|213000|https://www.bankofamerica.com|0.017",
          "NFLX|Netflix, Inc.|NASDAQ|Communication Services|Movies & Entertainment|110|4250|14000|https://www.netflix.com|0.022",
          "AMD|Advanced Micro Devices, Inc.|NASDAQ|Information Technology|Semiconductors|160|1620|28000|https://www.amd.com|0.030",
          "INTC|Intel Corporation|NASDAQ|Information Technology|Semiconductors|25|4400|100000|https://www.intel.com|0.028",
          "CRM|Salesforce, Inc.|NYSE|Information Technology|Application Software|250|960|76000|https://www.salesforce.com|0.020",
          "ADBE|Adobe Inc.|NASDAQ|Information Technology|Application Software|360|420|30000|https://www.adobe.com|0.020",
          "DIS|The Walt Disney Company|NYSE|Communication Services|Movies & Entertainment|115|1800|233000|https://thewaltdisneycompany.com|0.016",
          "CSCO|Cisco Systems, Inc.|NASDAQ|Information Technology|Communications Equipment|68|3960|90000|https://www.cisco.com|0.013",
          "ABBV|AbbVie Inc.|NYSE|Health Care|Biotechnology|200|1770|55000|https://www.abbvie.com|0.014",
          "LLY|Eli Lilly and Company|NYSE|Health Care|Pharmaceuticals|780|900|47000|https://www.lilly.com|0.020",
          "MRK|Merck & Co., Inc.|NYSE|Health Care|Pharmaceuticals|85|2500|74000|https://www.merck.com|0.014",
          "PFE|Pfizer Inc.|NYSE|Health Care|Pharmaceuticals|25|5700|81000|https://www.pfizer.com|0.015",
          "TMO|Thermo Fisher Scientific Inc.|NYSE|Health Care|Life Sciences Tools & Services|450|380|125000|https://www.thermofisher.com|0.016",
          "ABT|Abbott Laboratories|NYSE|Health Care|Health Care Equipment|130|1740|114000|https://www.abbott.com|0.012",
          "CVX|Chevron Corporation|NYSE|Energy|Integrated Oil & Gas|155|1750|45000|https://www.chevron.com|0.015",
          "WFC|Wells Fargo & Company|NYSE|Financials|Diversified Banks|80|3200|210000|https://www.wellsfargo.com|0.017",
          "GS|The Goldman Sachs Group, Inc.|NYSE|Financials|Investment Banking & Brokerage|700|310|46000|https://www.goldmansachs.com|0.018",
          "MS|Morgan Stanley|NYSE|Financials|Investment Banking & Brokerage|140|1600|80000|https://www.morganstanley.com|0.018",
          "T|AT&T Inc.|NYSE|Communication Services|Integrated Telecommunication Services|28|7200|141000|https://www.att.com|0.012",
          "VZ|Verizon Communications Inc.|NYSE|Communication Services|Integrated Telecommunication Services|42|4200|100000|https://www.verizon.com|0.011",
          "CMCSA|Comcast Corporation|NASDAQ|Communication Services|Cable & Satellite|35|3700|182000|https://corporate.comcast.com|0.015",
          "MCD|McDonald's Corporation|NYSE|Consumer Discretionary|Restaurants|300|715|150000|https://www.mcdonalds.com|0.010",
          "NKE|NIKE, Inc.|NYSE|Consumer Discretionary|Footwear|70|1480|77800|https://www.nike.com|0.020",
          "SBUX|Starbucks Corporation|NASDAQ|Consumer Discretionary|Restaurants|90|1140|361000|https://www.starbucks.com|0.018",
          "BA|The Boeing Company|NYSE|Industrials|Aerospace & Defense|220|760|172000|https://www.boeing.com|0.022",
          "CAT|Caterpillar Inc.|NYSE|Industrials|Construction Machinery & Heavy Transportation Equipment|420|470|112000|https://www.caterpillar.com|0.017",
          "GE|GE Aerospace|NYSE|Industrials|Aerospace & Defense|260|1060|53000|https://www.geaerospace.com|0.019",
          "HON|Honeywell International Inc.|NASDAQ|Industrials|Industrial Conglomerates|220|640|102000|https://www.honeywell.com|0.012",
          "UPS|United Parcel Service, Inc.|NYSE|Industrials|Air Freight & Logistics|90|850|490000|https://www.ups.com|0.017",
          "LIN|Linde plc|NASDAQ|Materials|Industrial Gases|460|470|66000|https://www.linde.com|0.011",
          "NEE|NextEra Energy, Inc.|NYSE|Utilities|Multi-Utilities|72|2060|16800|https://www.nexteraenergy.com|0.014",
          "PLD|Prologis, Inc.|NYSE|Real Estate|Industrial REITs|110|930|2600|https://www.prologis.com|0.016",
          "AMT|American Tower Corporation|NYSE|Real Estate|Telecom Tower REITs|200|470|4700|https://www.americantower.com|0.015",
          "QCOM|QUALCOMM Incorporated|NASDAQ|Information Technology|Semiconductors|160|1080|49000|https://www.qualcomm.com|0.022",
          "IBM|International Business Machines Corporation|NYSE|Information Technology|IT Consulting & Other Services|260|930|270000|https://www.ibm.com|0.014",
          "PYPL|PayPal Holdings, Inc.|NASDAQ|Financials|Transaction & Payment Processing|70|970|24400|https://www.paypal.com|0.022",
          "UBER|Uber Technologies, Inc.|NYSE|Industrials|Passenger Ground Transportation|90|2100|31100|https://www.uber.com|0.024");

  /**
   * Index funds (issue 16: the portfolio benchmark, the dashboard's index quotes): quotable,
   * with bars and profiles, but not listed in {@link #instruments()} (the equity universe that
   * movers and sectors cover). Same row format as the large caps.
   */
  private static final List<String> FUNDS =
      List.of(
          "SPY|SPDR S&P 500 ETF Trust|NYSE Arca|Funds|Index ETF|600|920|0|https://www.ssga.com|0.010",
          "QQQ|Invesco QQQ Trust|NASDAQ|Funds|Index ETF|520|590|0|https://www.invesco.com|0.013",
          "DIA|SPDR Dow Jones Industrial Average ETF Trust|NYSE Arca|Funds|Index ETF|440|60|0|https://www.ssga.com|0.009",
          "IWM|iShares Russell 2000 ETF|NYSE Arca|Funds|Index ETF|230|300|0|https://www.ishares.com|0.014");

  /** Largest universe; the pronounceable 3–4 letter ticker space holds about 7,000 names. */
  public static final int MAX_SIZE = 5000;

  private final List<Instrument> instruments;
  private final Map<String, Instrument> bySymbol;

  private final List<Instrument> funds;

  private Universe(List<Instrument> instruments, List<Instrument> funds) {
    this.instruments = List.copyOf(instruments);
    this.funds = List.copyOf(funds);
    Map<String, Instrument> map = new LinkedHashMap<>();
    for (Instrument i : funds) {
      map.put(i.symbol(), i);
    }
    for (Instrument i : instruments) {
      map.put(i.symbol(), i);
    }
    this.bySymbol = Collections.unmodifiableMap(map);
  }

  /**
   * The universe for {@code seed} with {@code size} instruments: the real large caps first (only
   * the first {@code size} of them when {@code size} is smaller), then generated companies.
   */
  public static Universe generate(long seed, int size) {
    if (size < 1 || size > MAX_SIZE) {
      throw new IllegalArgumentException("size must be in [1, " + MAX_SIZE + "]: " + size);
    }
    List<Instrument> list = new ArrayList<>(size);
    Set<String> taken = new HashSet<>();
    for (String row : REAL) {
      String[] f = row.split("\\|");
      taken.add(f[0]);
      if (list.size() < size) {
        list.add(parse(f));
      }
    }
    List<Instrument> funds = new ArrayList<>();
    for (String row : FUNDS) {
      String[] f = row.split("\\|");
      taken.add(f[0]);
      funds.add(parse(f));
    }
    SplittableRandom random = new SplittableRandom(seed);
    while (list.size() < size) {
      list.add(generated(random, taken));
    }
    return new Universe(list, funds);
  }

  private static Instrument parse(String[] f) {
    double price = Double.parseDouble(f[5]);
    long shares = Long.parseLong(f[6]) * 1_000_000L;
    double vol = Double.parseDouble(f[9]);
    return new Instrument(f[0], f[1], f[2], f[3], f[4], "USD", price, vol, shares,
        averageVolume(shares, vol), Long.parseLong(f[7]), f[8]);
  }

  /** The index funds: quotable, not listed. */
  public List<Instrument> funds() {
    return funds;
  }

  /** Number of real large caps at the head of every universe. */
  public static int realCount() {
    return REAL.size();
  }

  /** All instruments, real large caps first. */
  public List<Instrument> instruments() {
    return instruments;
  }

  /** Number of instruments. */
  public int size() {
    return instruments.size();
  }

  /** The instrument with this ticker (case-insensitive). */
  public Optional<Instrument> find(String symbol) {
    if (symbol == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(bySymbol.get(symbol.trim().toUpperCase(Locale.ROOT)));
  }

  /**
   * Up to {@code limit} instruments matching {@code query} case-insensitively: symbols starting
   * with it first (shortest, then alphabetical), then names containing it (in universe order).
   */
  public List<Instrument> search(String query, int limit) {
    String q = query.trim().toUpperCase(Locale.ROOT);
    List<Instrument> bySymbolPrefix = new ArrayList<>();
    for (Instrument i : instruments) {
      if (i.symbol().startsWith(q)) {
        bySymbolPrefix.add(i);
      }
    }
    bySymbolPrefix.sort(
        java.util.Comparator.comparingInt((Instrument i) -> i.symbol().length())
            .thenComparing(Instrument::symbol));
    List<Instrument> result = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Instrument i : bySymbolPrefix) {
      if (result.size() >= limit) {
        return result;
      }
      result.add(i);
      seen.add(i.symbol());
    }
    for (Instrument i : instruments) {
      if (result.size() >= limit) {
        break;
      }
      if (!seen.contains(i.symbol()) && i.name().toUpperCase(Locale.ROOT).contains(q)) {
        result.add(i);
      }
    }
    return result;
  }

  private static long averageVolume(long shares, double vol) {
    // Turnover grows with volatility: ~0.4 % of the float a day for a 1.5 % daily mover.
    return Math.max(10_000L, Math.round(shares * vol * 0.25));
  }

  private static Instrument generated(SplittableRandom random, Set<String> taken) {
    while (true) {
      String root = nameRoot(random);
      int len = 3 + random.nextInt(2);
      String ticker = root.substring(0, Math.min(len, root.length())).toUpperCase(Locale.ROOT);
      if (ticker.length() < 3 || !taken.add(ticker)) {
        continue;
      }
      String sector = SECTOR_NAMES.get(random.nextInt(SECTOR_NAMES.size()));
      List<String> industries = SECTORS.get(sector);
      String industry = industries.get(random.nextInt(industries.size()));
      List<String> suffixes = NAME_SUFFIXES.get(sector);
      String name = root + " " + suffixes.get(random.nextInt(suffixes.size()))
          + (random.nextBoolean() ? " Inc." : " Corp.");
      String exchange = random.nextInt(100) < 55 ? "NASDAQ" : "NYSE";
      // Log-normal prices around $40; a few sub-dollar names exercise 4-decimal rounding.
      double price = random.nextInt(100) < 3
          ? 0.2 + random.nextDouble() * 0.75
          : Math.exp(Math.log(40) + random.nextGaussian() * 0.9);
      price = Math.min(Math.max(price, 0.2), 1500);
      double vol = 0.012 + random.nextDouble() * 0.030;
      long shares = Math.round(Math.exp(Math.log(200e6) + random.nextGaussian() * 0.8));
      long employees = Math.round(Math.exp(Math.log(3000) + random.nextGaussian() * 1.2)) + 10;
      String website = "https://www." + root.toLowerCase(Locale.ROOT) + ".example";
      return new Instrument(ticker, name, exchange, sector, industry, "USD",
          round4(price), vol, shares, averageVolume(shares, vol), employees, website);
    }
  }

  /** Pronounceable company root: two or three consonant-vowel syllables, maybe a final consonant. */
  private static String nameRoot(SplittableRandom random) {
    StringBuilder sb = new StringBuilder();
    int syllables = 2 + random.nextInt(2);
    for (int s = 0; s < syllables; s++) {
      sb.append(CONSONANTS.charAt(random.nextInt(CONSONANTS.length())));
      sb.append(VOWELS.charAt(random.nextInt(VOWELS.length())));
    }
    if (random.nextBoolean()) {
      sb.append(CONSONANTS.charAt(random.nextInt(CONSONANTS.length())));
    }
    String upper = sb.toString();
    return upper.charAt(0) + upper.substring(1).toLowerCase(Locale.ROOT);
  }

  private static double round4(double v) {
    return Math.round(v * 10_000d) / 10_000d;
  }

  @Override
  public String toString() {
    return "Universe[" + instruments.size() + " instruments]";
  }
}
