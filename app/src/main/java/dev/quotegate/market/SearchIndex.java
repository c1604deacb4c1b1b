package dev.quotegate.market;

import dev.quotegate.provider.SearchHit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.DisjunctionMaxQuery;
import org.apache.lucene.search.FieldDoc;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.apache.lucene.search.AutomatonQuery;
import org.apache.lucene.search.MultiTermQuery;
import org.apache.lucene.util.automaton.LevenshteinAutomata;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The instrument search index: Apache Lucene over an in-memory {@link ByteBuffersDirectory},
 * BM25 ranking (Lucene's default similarity). Documents are the listed universe plus the
 * listings providers' search answers and profiles taught it ({@link #learn}), at most
 * {@code quotegate.search.max-listings}.
 *
 * <p>Each (re)build writes a new immutable index on the index scheduler (one thread, bounded
 * queue) and publishes it; searches run on the caller's thread against the published index
 * (an in-memory index does no I/O, so a search is short CPU work that never waits), holding a
 * reference so a swap never closes a reader under a search. One build runs at a time and
 * concurrent requests for one share it.
 *
 * <p>Ranking, best first: exact symbol, symbol prefix, name words (exact, then prefix, then
 * fuzzy within one or two edits), two adjacent words joined ({@code micro soft} is
 * {@code microsoft}), industry and sector words, description words; ties by symbol.
 */
public final class SearchIndex implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SearchIndex.class);

  /** One indexed listing: a provider's hit, and a description when a profile gave one. */
  record Listing(SearchHit hit, String description) {
    Listing {
      Objects.requireNonNull(hit, "hit");
    }
  }

  /** One ranked hit. */
  record Ranked(SearchHit hit, float score) {}

  /** Hits of one query: the page asked for, and how many matched up to the ranking depth. */
  record Results(List<Ranked> hits, int total) {}

  private static final Analyzer ANALYZER = new Analyzer() {
    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
      Tokenizer source = new StandardTokenizer();
      TokenStream s = new LowerCaseFilter(source);
      s = new ASCIIFoldingFilter(s);
      s = new EnglishPossessiveFilter(s);
      s = new EnglishMinimalStemFilter(s);
      return new TokenStreamComponents(source, s);
    }
  };

  /** Leading characters a fuzzy match must share with the word typed. */
  private static final int FUZZY_PREFIX = 1;

  private static final Sort ORDER = new Sort(SortField.FIELD_SCORE, new SortField("id_sort", SortField.Type.STRING));

  private final SearchProperties props;
  private final Scheduler scheduler;
  private final Map<String, Listing> learnt = new ConcurrentHashMap<>();
  private final AtomicReference<List<SearchHit>> universe = new AtomicReference<>(List.of());
  private final AtomicLong version = new AtomicLong();
  private final AtomicReference<Snapshot> current = new AtomicReference<>();
  private final AtomicReference<Mono<Snapshot>> building = new AtomicReference<>();
  private final Cache<String, Query> fuzzyQueries;
  private final Sinks.Many<Boolean> changes = Sinks.many().multicast().directBestEffort();
  private final Disposable rebuilds;
  private final Timer buildTimer;
  private final Timer searchTimer;
  private final Counter dropped;

  SearchIndex(SearchProperties props, MeterRegistry registry) {
    this.props = Objects.requireNonNull(props, "props");
    this.scheduler = Schedulers.newBoundedElastic(1, props.rebuildQueue(), "search-index");
    this.fuzzyQueries = Caffeine.newBuilder().maximumSize(props.fuzzyCache()).build();
    this.buildTimer = Timer.builder("quotegate.search.index.builds")
        .description("Search index (re)builds and how long each took").register(registry);
    this.searchTimer = Timer.builder("quotegate.search.queries")
        .description("Queries ranked by the search index").publishPercentileHistogram().register(registry);
    this.dropped = Counter.builder("quotegate.search.index.dropped")
        .description("Listings not indexed because quotegate.search.max-listings was reached").register(registry);
    Gauge.builder("quotegate.search.index.documents", this, SearchIndex::size)
        .description("Listings in the published search index").register(registry);
    Gauge.builder("quotegate.search.fuzzy.cached", this, x -> x.fuzzyQueries.estimatedSize())
        .description("Compiled typo-tolerant word queries kept (quotegate.search.fuzzy-cache)").register(registry);
    Gauge.builder("quotegate.search.index.capacity", props, SearchProperties::maxListings)
        .description("quotegate.search.max-listings").register(registry);
    // Listings learnt from providers are gathered for rebuild-delay, then indexed in one build.
    this.rebuilds = changes.asFlux()
        .onBackpressureLatest()
        .sample(props.rebuildDelay())
        .concatMap(x -> rebuild().onErrorResume(e -> {
          log.warn("search index rebuild failed: {}", e.toString());
          return Mono.empty();
        }))
        .subscribe(null, e -> log.error("search index: the rebuild loop ended", e));
  }

  /** Listings in the published index. */
  int size() {
    Snapshot s = current.get();
    return s == null ? 0 : s.docs.length;
  }

  /** Whether an index has been published. */
  boolean ready() {
    return current.get() != null;
  }

  /**
   * The index over {@code listed} (the universe): built on the index scheduler when this list
   * is not the one indexed, else the published index at once.
   */
  Mono<Void> ensureUniverse(List<SearchHit> listed) {
    return Mono.defer(() -> {
      List<SearchHit> prev = universe.get();
      Snapshot s = current.get();
      if (prev == listed && s != null) {
        return Mono.empty();
      }
      if (prev != listed && universe.compareAndSet(prev, listed)) {
        version.incrementAndGet();
      }
      return upTo(version.get()).then();
    });
  }

  /** Adds listings (a provider's search hits, a profile's description); indexed after rebuild-delay. */
  boolean learn(List<Listing> listings) {
    boolean changed = false;
    for (Listing l : listings) {
      String key = l.hit().symbol().toUpperCase(Locale.ROOT);
      Listing prev = learnt.get(key);
      Listing merged = prev == null ? l : merge(prev, l);
      if (merged.equals(prev)) {
        continue;
      }
      if (prev == null && universe.get().size() + learnt.size() >= props.maxListings()) {
        dropped.increment();
        continue;
      }
      learnt.put(key, merged);
      changed = true;
    }
    if (changed) {
      version.incrementAndGet();
      changes.tryEmitNext(Boolean.TRUE); // fails only while a signal is being delivered: a rebuild is due anyway
    }
    return changed;
  }

  /** The published index once it includes every listing learnt so far. */
  Mono<Void> caughtUp() {
    return upTo(version.get()).then();
  }

  private static Listing merge(Listing prev, Listing next) {
    SearchHit a = prev.hit();
    SearchHit b = next.hit();
    SearchHit hit = new SearchHit(a.symbol(), or(b.name(), a.name()), or(b.exchange(), a.exchange()),
        or(b.type(), a.type()), or(b.sector(), a.sector()), a.source(), or(b.mic(), a.mic()),
        or(b.industry(), a.industry()));
    return new Listing(hit, or(next.description(), prev.description()));
  }

  private static String or(String a, String b) {
    return a != null && !a.isBlank() ? a : b;
  }

  private Mono<Snapshot> upTo(long wanted) {
    return Mono.defer(() -> {
      Snapshot s = current.get();
      if (s != null && s.version >= wanted) {
        return Mono.just(s);
      }
      return rebuild().flatMap(built -> built.version >= wanted ? Mono.just(built) : upTo(wanted));
    });
  }

  /** One build at a time; concurrent callers share it. */
  private Mono<Snapshot> rebuild() {
    return Mono.defer(() -> {
      Mono<Snapshot> inFlight = building.get();
      if (inFlight != null) {
        return inFlight;
      }
      // The build is forgotten before its callers hear of it: a caller that needs a newer
      // version (upTo) then starts the next build instead of getting this finished one back at
      // once, again and again (a synchronous recursion that overflowed the stack).
      AtomicReference<Mono<Snapshot>> self = new AtomicReference<>();
      Mono<Snapshot> fresh = Mono.fromCallable(this::build)
          .subscribeOn(scheduler)
          .doOnEach(sig -> building.compareAndSet(self.get(), null))
          .cache();
      self.set(fresh);
      return building.compareAndSet(null, fresh) ? fresh : Mono.defer(this::rebuild);
    });
  }

  /** Runs on the index scheduler: writes and publishes a new index over every listing. */
  private Snapshot build() throws IOException {
    long start = System.nanoTime();
    long v = version.get();
    Map<String, Listing> all = new LinkedHashMap<>();
    for (SearchHit h : universe.get()) {
      all.put(h.symbol().toUpperCase(Locale.ROOT), new Listing(h, null));
    }
    for (Map.Entry<String, Listing> e : learnt.entrySet()) {
      Listing prev = all.get(e.getKey());
      all.put(e.getKey(), prev == null ? e.getValue() : merge(prev, e.getValue()));
    }
    ByteBuffersDirectory dir = new ByteBuffersDirectory();
    Listing[] docs = new Listing[all.size()];
    IndexWriterConfig cfg = new IndexWriterConfig(ANALYZER).setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    try (IndexWriter w = new IndexWriter(dir, cfg)) {
      int i = 0;
      for (Listing l : all.values()) {
        docs[i] = l;
        w.addDocument(document(i, l));
        i++;
      }
      w.forceMerge(1);
      w.commit();
    }
    DirectoryReader reader = DirectoryReader.open(dir);
    Snapshot s = new Snapshot(reader, docs, v);
    Snapshot old = current.getAndSet(s);
    if (old != null) {
      old.release();
    }
    buildTimer.record(Duration.ofNanos(System.nanoTime() - start));
    return s;
  }

  private static Document document(int ordinal, Listing l) {
    SearchHit h = l.hit();
    Document d = new Document();
    d.add(new StoredField("ord", ordinal));
    String sym = h.symbol().toLowerCase(Locale.ROOT);
    d.add(new StringField("sym", sym, Field.Store.NO));
    int dot = sym.indexOf('.');
    if (dot > 0) {
      d.add(new StringField("sym", sym.substring(0, dot), Field.Store.NO)); // VOD.L is also VOD
    }
    d.add(new SortedDocValuesField("id_sort", new BytesRef(h.symbol())));
    text(d, "name", h.name());
    text(d, "industry", h.industry());
    text(d, "sector", h.sector());
    text(d, "desc", l.description());
    text(d, "words", join(h.name(), h.industry()));
    return d;
  }

  private static String join(String a, String b) {
    return a == null ? b : b == null ? a : a + " " + b;
  }

  private static void text(Document d, String field, String value) {
    if (value != null && !value.isBlank()) {
      d.add(new TextField(field, value, Field.Store.NO));
    }
  }

  /**
   * The hits of {@code query} from {@code offset}, at most {@code limit}, ranked to at most
   * {@code max-results} deep. Empty when no index is published yet.
   */
  Results search(String query, int offset, int limit) {
    Snapshot s = current.get();
    if (s == null || !s.acquire()) {
      s = current.get();
      if (s == null || !s.acquire()) {
        return new Results(List.of(), 0);
      }
    }
    long start = System.nanoTime();
    try {
      Query q = query(query);
      if (q == null) {
        return new Results(List.of(), 0);
      }
      int depth = Math.min(props.maxResults(), offset + limit);
      TopFieldDocs top = s.searcher.search(q, Math.max(1, depth), ORDER, true);
      StoredFields stored = s.searcher.storedFields();
      List<Ranked> out = new ArrayList<>(Math.max(0, Math.min(limit, top.scoreDocs.length - offset)));
      for (int i = offset; i < top.scoreDocs.length && out.size() < limit; i++) {
        ScoreDoc sd = top.scoreDocs[i];
        int ord = stored.document(sd.doc).getField("ord").numericValue().intValue();
        float score = sd instanceof FieldDoc fd && fd.fields[0] instanceof Float f ? f : sd.score;
        out.add(new Ranked(s.docs[ord].hit(), score));
      }
      int total = (int) Math.min(top.totalHits.value, props.maxResults());
      return new Results(out, total);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an in-memory index: not expected
    } finally {
      s.release();
      searchTimer.record(Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** The Lucene query for what a user typed; null when it has no searchable word. */
  Query query(String text) {
    String raw = text.trim().toLowerCase(Locale.ROOT);
    List<String> words = analyze(raw, props.maxTerms());
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    int clauses = 0;
    String compact = raw.replaceAll("\\s+", "");
    if (!compact.isEmpty() && compact.length() <= 24) {
      b.add(constant(new TermQuery(new Term("sym", compact)), 20f), BooleanClause.Occur.SHOULD);
      b.add(constant(new PrefixQuery(new Term("sym", compact)), 6f), BooleanClause.Occur.SHOULD);
      if (compact.length() >= 3 && props.maxEdits() > 0) {
        b.add(constant(fuzzy("sym", compact, 1, 1f), 1.5f), BooleanClause.Occur.SHOULD);
      }
      clauses += 3;
    }
    for (String w : words) {
      List<Query> alternatives = new ArrayList<>();
      alternatives.add(new BoostQuery(new TermQuery(new Term("name", w)), 3f));
      alternatives.add(new BoostQuery(new TermQuery(new Term("industry", w)), 2f));
      alternatives.add(new BoostQuery(new TermQuery(new Term("sector", w)), 1.5f));
      alternatives.add(new BoostQuery(new TermQuery(new Term("desc", w)), 0.5f));
      if (w.length() >= 2) {
        alternatives.add(constant(new PrefixQuery(new Term("name", w)), 2f));
        alternatives.add(constant(new PrefixQuery(new Term("industry", w)), 1f));
      }
      int edits = edits(w);
      if (edits > 0) {
        // One fuzzy clause per word, over the name and industry words together: building the
        // Levenshtein automaton of a two-edit word is most of a query's cost. The first letter
        // must match (FUZZY_PREFIX), as in most spelling correctors.
        alternatives.add(fuzzy("words", w, edits, 1.2f));
      }
      b.add(new DisjunctionMaxQuery(alternatives, 0.1f), BooleanClause.Occur.SHOULD);
      clauses++;
    }
    for (int i = 0; i + 1 < words.size(); i++) {
      String joined = words.get(i) + words.get(i + 1);
      List<Query> alternatives = new ArrayList<>();
      alternatives.add(new BoostQuery(new TermQuery(new Term("name", joined)), 4f));
      alternatives.add(constant(new PrefixQuery(new Term("name", joined)), 3f));
      if (props.maxEdits() > 0) {
        alternatives.add(fuzzy("words", joined, 1, 2f));
      }
      b.add(new DisjunctionMaxQuery(alternatives, 0.1f), BooleanClause.Occur.SHOULD);
      clauses++;
    }
    return clauses == 0 ? null : b.build();
  }

  /**
   * Terms of {@code field} within {@code edits} of {@code word} (transpositions count one),
   * sharing its first letter; a one-edit match scores above a two-edit one. Lucene's
   * {@code FuzzyQuery} compiles its Levenshtein automata on every search, which is most of a
   * query's cost: the compiled queries are kept (immutable, valid for every index), at most
   * {@code fuzzy-cache}.
   */
  private Query fuzzy(String field, String word, int edits, float boost) {
    return fuzzyQueries.get(field + '|' + edits + '|' + word + '|' + boost, k -> {
      if (word.length() <= FUZZY_PREFIX) {
        return new BoostQuery(new TermQuery(new Term(field, word)), boost);
      }
      String prefix = word.substring(0, FUZZY_PREFIX);
      LevenshteinAutomata lev = new LevenshteinAutomata(word.substring(FUZZY_PREFIX), true);
      List<Query> tiers = new ArrayList<>(edits);
      for (int n = 1; n <= edits; n++) {
        Query q = new AutomatonQuery(new Term(field, word), lev.toAutomaton(n, prefix),
            Operations.DEFAULT_DETERMINIZE_WORK_LIMIT, false, new MultiTermQuery.TopTermsBlendedFreqScoringRewrite(50));
        tiers.add(new BoostQuery(q, boost * (n == 1 ? 1f : 0.6f)));
      }
      return tiers.size() == 1 ? tiers.get(0) : new DisjunctionMaxQuery(tiers, 0f);
    });
  }

  private int edits(String word) {
    int len = word.codePointCount(0, word.length());
    int e = len <= 2 ? 0 : len <= 4 ? 1 : 2;
    return Math.min(e, props.maxEdits());
  }

  private static Query constant(Query q, float boost) {
    return new BoostQuery(new ConstantScoreQuery(q), boost);
  }

  /** Words as indexed (lower-cased, folded, singular), at most {@code max}. */
  static List<String> analyze(String text, int max) {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = ANALYZER.tokenStream("name", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      ts.reset();
      while (ts.incrementToken() && out.size() < max) {
        String t = term.toString();
        if (!out.contains(t)) {
          out.add(t);
        }
      }
      ts.end();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  @Override
  public void close() {
    rebuilds.dispose();
    scheduler.dispose();
    Snapshot s = current.getAndSet(null);
    if (s != null) {
      s.release();
    }
  }

  /** One published index: its reader (reference-counted), searcher and listings by ordinal. */
  private static final class Snapshot {
    final DirectoryReader reader;
    final IndexSearcher searcher;
    final Listing[] docs;
    final long version;

    Snapshot(DirectoryReader reader, Listing[] docs, long version) {
      this.reader = reader;
      this.searcher = new IndexSearcher(reader);
      this.docs = docs;
      this.version = version;
    }

    boolean acquire() {
      return reader.tryIncRef();
    }

    void release() {
      try {
        reader.decRef();
      } catch (IOException e) {
        log.debug("closing a search index reader: {}", e.toString());
      }
    }
  }
}
