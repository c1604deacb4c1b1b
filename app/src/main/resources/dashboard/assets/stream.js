// Live quotes over Server-Sent Events, reconnecting on its own.
//
// EventSource reconnects by itself after a dropped connection (the gateway's `retry:` hint,
// 3 s) and resumes with Last-Event-ID. It gives up for good when a reconnection is answered
// with an error status (a 503 while the gateway starts or sheds load); then this class opens
// a new EventSource itself, with growing, jittered delays, resuming through `?lastEventId=`
// (a new EventSource cannot set the header).

const MAX_BACKOFF_MS = 15000;

export class LiveQuotes {
  /**
   * @param {object} handlers onQuotes(array), onSymbolErrors(array), onState('connecting'|'live'|'reconnecting', detail)
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.symbols = [];
    this.source = null;
    this.lastEventId = null;
    this.attempt = 0;
    this.timer = null;
    this.everOpened = false;
  }

  /** Follows `symbols` (replacing the previous set); an empty list closes the stream. */
  follow(symbols) {
    const next = [...symbols];
    if (next.join(',') === this.symbols.join(',') && this.source) return;
    this.symbols = next;
    // A new set of symbols needs a new snapshot, not "changes since".
    this.lastEventId = null;
    this.open();
  }

  close() {
    clearTimeout(this.timer);
    if (this.source) {
      this.source.close();
      this.source = null;
    }
  }

  open() {
    this.close();
    if (this.symbols.length === 0) return;
    let url = '/api/v1/stream/quotes?symbols=' + encodeURIComponent(this.symbols.join(','));
    if (this.lastEventId) url += '&lastEventId=' + encodeURIComponent(this.lastEventId);
    const es = new EventSource(url);
    this.source = es;
    this.handlers.onState(this.everOpened ? 'reconnecting' : 'connecting');
    es.onopen = () => {
      if (this.source !== es) return;
      this.attempt = 0;
      this.everOpened = true;
      this.handlers.onState('live');
    };
    es.addEventListener('quote', (e) => {
      if (this.source !== es) return;
      if (e.lastEventId) this.lastEventId = e.lastEventId;
      let quotes;
      try {
        quotes = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      // A message proves the connection even where onopen came before a proxy's buffering.
      this.handlers.onState('live');
      this.handlers.onQuotes(Array.isArray(quotes) ? quotes : [quotes]);
    });
    es.addEventListener('symbol-error', (e) => {
      if (this.source !== es) return;
      if (e.lastEventId) this.lastEventId = e.lastEventId;
      try {
        this.handlers.onSymbolErrors(JSON.parse(e.data));
      } catch (err) {
        // not JSON: ignore, the next quote event repaints
      }
    });
    es.onerror = (e) => {
      if (this.source !== es) return;
      // The gateway's own `event: error` (slow consumer) carries data; a transport error has none.
      if (e && e.data) {
        this.handlers.onState('reconnecting', 'the gateway closed the stream');
      }
      if (es.readyState === EventSource.CLOSED) {
        this.scheduleReopen();
      } else {
        this.handlers.onState(this.everOpened ? 'reconnecting' : 'connecting');
      }
    };
  }

  scheduleReopen() {
    this.close();
    const base = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(this.attempt, 4));
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt += 1;
    this.handlers.onState(this.everOpened ? 'reconnecting' : 'connecting', Math.round(delay / 1000));
    this.timer = setTimeout(() => this.open(), delay);
  }
}
