"""Plot of `cargo xtask bench`: latency and throughput against load (wrk connections) for
the stub, the bare axum baseline and Prism, one column per endpoint.

Usage: plot.py target/bench/results.json benchmarks-latency.png
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    "stub": ("social-stub", "tab:blue"),
    "baseline": ("bare axum baseline", "tab:green"),
    "prism": ("Prism", "tab:red"),
}


def main(results_path, png_path):
    with open(results_path) as f:
        results = json.load(f)
    load = results["load"]
    fig, axes = plt.subplots(2, len(load), figsize=(6.5 * len(load), 8), squeeze=False)
    for col, target in enumerate(load):
        lat, thr = axes[0][col], axes[1][col]
        for server, (label, color) in STYLE.items():
            runs = sorted(
                (r for r in target["runs"] if r["server"] == server),
                key=lambda r: r["connections"],
            )
            if not runs:
                continue
            conns = [r["connections"] for r in runs]
            lat.plot(conns, [r["p50_us"] / 1000 for r in runs], "o-", color=color,
                     label=f"{label} p50")
            lat.plot(conns, [r["p99_us"] / 1000 for r in runs], "x--", color=color,
                     alpha=0.6, label=f"{label} p99")
            thr.plot(conns, [r["rps"] for r in runs], "o-", color=color, label=label)
        lat.set_title(f"{target['name']}: latency against load")
        lat.set_ylabel("latency per request (ms, log)")
        lat.set_yscale("log")
        thr.set_title(f"{target['name']}: throughput against load")
        thr.set_ylabel("requests per second (log)")
        thr.set_yscale("log")
        conns = sorted({r["connections"] for r in target["runs"]})
        for ax in (lat, thr):
            ax.set_xscale("log", base=2)
            ax.set_xticks(conns, [str(c) for c in conns])
            ax.set_xlabel("concurrent connections (wrk)")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
    machine = results["machine"]
    fig.suptitle(
        f"cargo xtask bench — {machine['nproc']} CPUs ({machine['cpu']}), {machine['date']}"
        + (" — quick run" if results.get("quick") else ""),
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
