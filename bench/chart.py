"""Draws docs/bench/app-overhead.png from the medians bench/report.ts wrote (bench/out/app-overhead-summary.json).

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
root = bench.parent
# Results, notes and charts live out of the code folder; bench/out is the scratch dir.
docs = root / "docs" / "bench"
summary = json.loads((bench / "out" / "app-overhead-summary.json").read_text())
rows = summary["rows"]
endpoints = ["GET /api/activities/home", "POST /api/activities"]
variants = [v for v in ["none", "floor", "ours", "naive"] if any(r["variant"] == v for r in rows)]
colours = {"GET /api/activities/home": "#4477aa", "POST /api/activities": "#ee6677"}


def save(fig, name):
    fig.tight_layout()
    out = docs / name
    fig.savefig(out, dpi=110)
    print(f"wrote {out.relative_to(root)}", file=sys.stderr)


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
save(fig, "app-overhead.png")

# ---- collector throughput and freshness: docs/bench/pipeline.png ---------------------------------
# Left: collector throughput per config, accepted vs offered spans/s per step (a step that lost
# anything is drawn hollow), collector CPU % on the right axis. Right: freshness p50/p95 per variant
# and backend, with the 2 s target.
throughput_file = docs / "results" / "collector-throughput.json"
freshness_file = docs / "results" / "freshness.json"
if throughput_file.exists() or freshness_file.exists():
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8))
    if throughput_file.exists():
        throughput = json.loads(throughput_file.read_text())
        cpu_axis = left.twinx()
        palette = ["#4477aa", "#ee6677", "#228833", "#ccbb44"]
        for index, config in enumerate(throughput["configs"]):
            colour = palette[index % len(palette)]
            steps = config["steps"]
            offered = [s["targetSpansPerSecond"] for s in steps]
            accepted = [s["acceptedPerSecond"] for s in steps]
            lossless = [s["pass"] for s in steps]
            left.plot(offered, accepted, color=colour, label=f"{config['name']} (max {config['maxPassingSpansPerSecond'] or 0:,.0f}/s)")
            left.scatter([o for o, ok in zip(offered, lossless) if ok], [a for a, ok in zip(accepted, lossless) if ok], color=colour, s=18)
            left.scatter([o for o, ok in zip(offered, lossless) if not ok], [a for a, ok in zip(accepted, lossless) if not ok], facecolors="none", edgecolors=colour, s=30)
            cpu_axis.plot(offered, [s["collectorCpuPercent"] for s in steps], color=colour, linestyle=":", linewidth=1)
        target_spans = throughput["meta"]["targets"]["spansPerSecondPerCore"]
        left.axhline(target_spans, color="black", linestyle="--", linewidth=1, label=f"target: {target_spans / 1000:g}k spans/s per core")
        left.set_xlabel("offered spans/s (telemetrygen)")
        left.set_ylabel("accepted spans/s")
        cpu_axis.set_ylabel("collector CPU % of its core (dotted)")
        left.set_title("Collector throughput, one core (hollow = loss or refusal)")
        left.legend(fontsize=7, loc="upper left")
    if freshness_file.exists():
        freshness = json.loads(freshness_file.read_text())
        variants = freshness["variants"]
        backends = [("xray", "X-Ray trace"), ("cloudwatch", "CloudWatch access log")]
        width = 0.38
        for offset, (key, label) in enumerate(backends):
            xs = [x + (offset - 0.5) * width for x in range(len(variants))]
            p95 = [v["backends"][key]["p95Ms"] / 1000 for v in variants]
            p50 = [v["backends"][key]["p50Ms"] / 1000 for v in variants]
            bars = right.bar(xs, p95, width, label=f"{label} p95", color=["#4477aa", "#ee6677"][offset], alpha=0.55)
            right.bar_label(bars, fmt="%.2f", fontsize=8)
            right.scatter(xs, p50, color="black", marker="_", s=200, zorder=3)
        target_p95_s = freshness["meta"]["conditions"]["targetP95Ms"] / 1000
        right.axhline(target_p95_s, color="black", linestyle="--", linewidth=1, label=f"target p95 ≤ {target_p95_s:g} s")
        right.set_xticks(range(len(variants)), [v["name"] for v in variants])
        right.set_ylabel("response → readable in the stand-in, s (bar p95, dash p50)")
        right.set_title("End-to-end freshness (moto stand-ins)")
        right.legend(fontsize=8)
    save(fig, "pipeline.png")
