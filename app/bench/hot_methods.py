#!/usr/bin/env python3
"""Summarises a JFR recording of the gateway: where CPU samples and allocations land.

  hot_methods.py RECORDING.jfr [TOP] [FOCUS,FOCUS,...]

Prints the top frames by CPU samples (self, i.e. the executing method), the top
dev.quotegate frames (inclusive: anywhere on the stack), and allocation weight by allocating
frame and by class (jdk.ObjectAllocationSample). With FOCUS substrings (e.g.
SymbolParams,QuoteHandler.serverTiming), also the share of CPU samples and of allocation
whose stack contains each. Uses the JDK's own `jfr print --json`.
"""
import collections
import json
import subprocess
import sys


def frames(event):
    st = event["values"].get("stackTrace") or {}
    out = []
    for f in st.get("frames", []):
        m = f.get("method") or {}
        t = (m.get("type") or {}).get("name", "?")
        out.append(f"{t}.{m.get('name', '?')}")
    return out


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    focus = sys.argv[3].split(",") if len(sys.argv) > 3 else []
    focus_cpu = collections.Counter()
    focus_alloc = collections.Counter()
    raw = subprocess.run(
        ["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample,jdk.ObjectAllocationSample", path],
        capture_output=True, text=True, check=True).stdout
    events = json.loads(raw)["recording"]["events"]
    self_cpu = collections.Counter()
    incl_cpu = collections.Counter()
    alloc_site = collections.Counter()
    alloc_class = collections.Counter()
    alloc_app = collections.Counter()
    samples = 0
    for e in events:
        fs = frames(e)
        if not fs:
            continue
        for x in focus:
            if any(x in f.replace("/", ".") for f in fs):
                if e["type"] == "jdk.ExecutionSample":
                    focus_cpu[x] += 1
                else:
                    focus_alloc[x] += e["values"].get("weight", 0)
        if e["type"] == "jdk.ExecutionSample":
            samples += 1
            self_cpu[fs[0]] += 1
            for f in set(fs):
                if f.startswith("dev.quotegate"):
                    incl_cpu[f] += 1
        else:
            w = e["values"].get("weight", 0)
            alloc_site[fs[0]] += w
            cls = (e["values"].get("objectClass") or {}).get("name", "?")
            alloc_class[cls] += w
            app = next((f for f in fs if f.startswith("dev.quotegate")), None)
            if app:
                alloc_app[app] += w
    total_alloc = sum(alloc_class.values()) or 1
    print(f"CPU samples: {samples}")
    for x in focus:
        print(f"focus {x}: {100.0 * focus_cpu[x] / max(samples, 1):.2f} % of CPU samples, "
              f"{100.0 * focus_alloc[x] / total_alloc:.2f} % of sampled allocation")
    print("\n== top frames by CPU samples (self) ==")
    for f, n in self_cpu.most_common(top):
        print(f"{100.0 * n / samples:6.2f} %  {f}")
    print("\n== dev.quotegate frames by CPU samples (inclusive) ==")
    for f, n in incl_cpu.most_common(top):
        print(f"{100.0 * n / samples:6.2f} %  {f}")
    print(f"\nAllocation sampled weight: {total_alloc / 1e6:.1f} MB")
    print("\n== allocation by class ==")
    for c, w in alloc_class.most_common(top):
        print(f"{100.0 * w / total_alloc:6.2f} %  {c}")
    print("\n== allocation by allocating frame ==")
    for f, w in alloc_site.most_common(top):
        print(f"{100.0 * w / total_alloc:6.2f} %  {f}")
    print("\n== allocation by nearest dev.quotegate frame ==")
    for f, w in alloc_app.most_common(top):
        print(f"{100.0 * w / total_alloc:6.2f} %  {f}")


if __name__ == "__main__":
    main()
