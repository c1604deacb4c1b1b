-- OHLCV bars, one row per (symbol, interval, bar start). Portable between PostgreSQL and H2.
-- ts_ms and fetched_at_ms are epoch milliseconds (UTC): exact, index-friendly, and identical
-- through every R2DBC driver. The primary key serves every range query of the gateway:
--   WHERE symbol = ? AND bar_interval = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms
CREATE TABLE bars (
  symbol        VARCHAR(16)    NOT NULL,
  bar_interval  VARCHAR(4)     NOT NULL,
  ts_ms         BIGINT         NOT NULL,
  open_price    NUMERIC(30,10) NOT NULL,
  high_price    NUMERIC(30,10) NOT NULL,
  low_price     NUMERIC(30,10) NOT NULL,
  close_price   NUMERIC(30,10) NOT NULL,
  volume        BIGINT,
  -- when the gateway fetched the bar: a bar fetched after its end is final (settled)
  fetched_at_ms BIGINT         NOT NULL,
  source        VARCHAR(32)    NOT NULL,
  CONSTRAINT bars_pk PRIMARY KEY (symbol, bar_interval, ts_ms)
);
