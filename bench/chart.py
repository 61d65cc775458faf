"""Draws bench/app-overhead.png from the medians bench/report.ts wrote (bench/out/app-overhead-summary.json).

Left: added CPU per request vs bare (1/rps - 1/rps bare), per variant and endpoint, with the
40 us target. Right: p99 latency at the fixed rate, with bare's p99 + 1 ms as the target line.
Run by `make bench` with the pinned matplotlib in .tools/bench-venv (bench/requirements.txt).
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display here: render straight to PNG
import matplotlib.pyplot as plt  # noqa: E402

bench = Path(__file__).resolve().parent
summary = json.loads((bench / "out" / "app-overhead-summary.json").read_text())
rows = summary["rows"]
endpoints = ["GET /api/activities/home", "POST /api/activities"]
variants = [v for v in ["none", "floor", "ours", "naive"] if any(r["variant"] == v for r in rows)]
colours = {"GET /api/activities/home": "#4477aa", "POST /api/activities": "#ee6677"}


def value(variant, endpoint, key):
    for r in rows:
        if r["variant"] == variant and r["endpoint"] == endpoint:
            return r[key]
    return float("nan")


fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
width = 0.38
for i, endpoint in enumerate(endpoints):
    xs = [x + (i - 0.5) * width for x in range(len(variants))]
    ys = [value(v, endpoint, "addedUs") for v in variants]
    bars = left.bar(xs, ys, width, label=endpoint, color=colours[endpoint])
    left.bar_label(bars, fmt="%.0f", fontsize=8)
left.axhline(40, color="black", linestyle="--", linewidth=1, label="target for ours: 40 µs")
left.set_xticks(range(len(variants)), variants)
left.set_ylabel("added µs per request vs bare (1/rps − 1/rps bare)")
left.set_title("CPU cost added per request (saturation, 1 core)")
left.legend(fontsize=8)

all_variants = ["bare"] + variants
for i, endpoint in enumerate(endpoints):
    xs = [x + (i - 0.5) * width for x in range(len(all_variants))]
    ys = [value(v, endpoint, "rateP99Ms") for v in all_variants]
    bars = right.bar(xs, ys, width, label=endpoint, color=colours[endpoint])
    right.bar_label(bars, fmt="%.2f", fontsize=8)
    bare_p99 = value("bare", endpoint, "rateP99Ms")
    right.axhline(bare_p99 + 1, color=colours[endpoint], linestyle=":", linewidth=1, label=f"bare p99 + 1 ms ({endpoint.split()[0]})")
right.set_xticks(range(len(all_variants)), all_variants)
right.set_ylabel("p99 latency, ms")
right.set_title(f"p99 at a fixed {summary['fixedRate']} req/s")
right.legend(fontsize=8)

fig.suptitle(f"Cruddur app telemetry overhead — run of {summary['date'][:16]}Z, medians", fontsize=10)
fig.tight_layout()
out = bench / "app-overhead.png"
fig.savefig(out, dpi=110)
print(f"wrote {out.relative_to(bench.parent)}", file=sys.stderr)
