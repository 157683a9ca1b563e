#!/usr/bin/env python3
"""Prints the Markdown tables of docs/benchmarks.md from a throughput run's summary.json.

    python3 bench/tables.py bench/results/throughput-X/summary.json [--target loomchat]

Pipeline 16: median requests/s per target and the target's ratios to each of the others. Pipeline 1: median
requests/s and p99 (ms) per target, and the target's p99 over Netty's. Medians are over rounds, as the
harness's own summary.md gives them. Python 3 standard library only.
"""
import argparse
import json
import statistics


def fmt_rps(value):
    return f"{value / 1e6:.2f}M" if value >= 1e6 else f"{value / 1e3:.1f}k"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("summary")
    parser.add_argument("--target", default="loomchat")
    args = parser.parse_args()
    with open(args.summary) as f:
        data = json.load(f)
    rows, peers = {}, []
    for key, value in data.items():
        config, test, name = key.split("/")
        rows.setdefault((config, test), {})[name] = value
        if name != args.target and name not in peers:
            peers.append(name)
    me = args.target
    median = statistics.median

    print(f"| config | test | {me} | " + " | ".join(peers) + " | "
          + " | ".join(f"÷ {p}" for p in peers) + " |")
    print("|---" * (3 + 2 * len(peers)) + "|")
    for (config, test), by in rows.items():
        if config.endswith("-P1"):
            continue
        mine = median(by[me]["rps"])
        cells = [fmt_rps(median(by[p]["rps"])) for p in peers]
        ratios = [f"{mine / median(by[p]['rps']):.2f}" for p in peers]
        print(f"| {config} | {test} | {fmt_rps(mine)} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")

    print()
    print(f"| config | test | {me} | " + " | ".join(peers) + f" | {me} p99 ÷ netty p99 |")
    print("|---" * (4 + len(peers)) + "|")
    for (config, test), by in rows.items():
        if not config.endswith("-P1"):
            continue

        def cell(name):
            return f"{fmt_rps(median(by[name]['rps']))} / {median(by[name]['p99']):.2f}"

        ratio = median(by[me]["p99"]) / median(by["netty"]["p99"])
        print(f"| {config} | {test} | {cell(me)} | " + " | ".join(cell(p) for p in peers) + f" | {ratio:.2f} |")


if __name__ == "__main__":
    main()
