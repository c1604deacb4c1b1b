#!/usr/bin/env python3
"""Concurrent GETs against the gateway: latency p50/p90/p99 and throughput.

usage: history-load.py BASE_URL SYMBOLS_CSV PATH_TEMPLATE CONCURRENCY REQUESTS
PATH_TEMPLATE contains {symbol}, e.g. /api/v1/history/{symbol}?interval=1d&range=1y
Bounded: exactly REQUESTS requests, CONCURRENCY keep-alive connections, loopback only.
"""
import http.client
import sys
import threading
import time
import urllib.parse

base, symbols_csv, template, concurrency, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
symbols = symbols_csv.split(",")
u = urllib.parse.urlparse(base)
assert u.hostname in ("127.0.0.1", "localhost"), "loopback only"
lat, errors, lock = [], [0], threading.Lock()
counter = [0]


def worker(wid):
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    mine = []
    while True:
        with lock:
            if counter[0] >= total:
                break
            i = counter[0]
            counter[0] += 1
        path = template.format(symbol=symbols[i % len(symbols)])
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers={"accept-encoding": "identity"})
            r = conn.getresponse()
            r.read()
            ok = r.status == 200
        except Exception:
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        dt = (time.perf_counter() - t0) * 1000
        if ok:
            mine.append(dt)
        else:
            with lock:
                errors[0] += 1
    with lock:
        lat.extend(mine)


start = time.perf_counter()
threads = [threading.Thread(target=worker, args=(w,)) for w in range(concurrency)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - start
lat.sort()


def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100 * len(lat))) - 1)] if lat else float("nan")


print(f"requests={total} ok={len(lat)} errors={errors[0]} concurrency={concurrency} "
      f"throughput={len(lat) / elapsed:.0f}/s p50={pct(50):.1f}ms p90={pct(90):.1f}ms p99={pct(99):.1f}ms max={lat[-1] if lat else 0:.1f}ms")
