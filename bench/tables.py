#!/usr/bin/env python3
"""Prints the Markdown tables of docs/benchmarks.md from a throughput run's summary.json and raw.csv.

    python3 bench/tables.py bench/results/throughput-X/summary.json [--target loomchat]

Pipeline 16: median requests/s per target with its server CPU per request (µs), and the target's ratios to
each of the others. Pipeline 1: median requests/s, p99 (ms) and server CPU per request per target, and the
target's p99 over Netty's. Medians are over rounds, as the harness's own summary.md gives them; CPU per request
is the median over rounds of the server's cores ÷ its requests/s, from raw.csv beside summary.json. Python 3
standard library only.
"""
import argparse
import csv
import json
import os
import statistics

median = statistics.median


def fmt_rps(value):
    return f"{value / 1e6:.2f}M" if value >= 1e6 else f"{value / 1e3:.1f}k"


def cpu_per_request(raw_csv):
    """{(config, test, target): median µs of server CPU per request} from the harness's raw.csv."""
    samples = {}
    with open(raw_csv) as f:
        for row in csv.DictReader(f):
            rps, cores = float(row["rps"] or 0), float(row["server_cores"] or 0)
            if rps > 0:
                samples.setdefault((row["config"], row["test"], row["target"]), []).append(cores / rps * 1e6)
    return {key: median(values) for key, values in samples.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("summary")
    parser.add_argument("--target", default="loomchat")
    args = parser.parse_args()
    with open(args.summary) as f:
        data = json.load(f)
    cpu = cpu_per_request(os.path.join(os.path.dirname(args.summary), "raw.csv"))
    rows, peers = {}, []
    for key, value in data.items():
        config, test, name = key.split("/")
        rows.setdefault((config, test), {})[name] = value
        if name != args.target and name not in peers:
            peers.append(name)
    me = args.target

    def us(config, test, name):
        value = cpu.get((config, test, name))
        return "—" if value is None else f"{value:.2f}"

    print(f"| config | test | {me} | " + " | ".join(peers) + " | "
          + " | ".join(f"÷ {p}" for p in peers) + " |")
    print("|---" * (3 + 2 * len(peers)) + "|")
    for (config, test), by in rows.items():
        if config.endswith("-P1"):
            continue
        mine = median(by[me]["rps"])
        cells = [f"{fmt_rps(median(by[p]['rps']))} · {us(config, test, p)}" for p in [me] + peers]
        ratios = [f"{mine / median(by[p]['rps']):.2f}" for p in peers]
        print(f"| {config} | {test} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")

    print()
    netty = "netty" in peers
    print(f"| config | test | {me} | " + " | ".join(peers) + (f" | {me} p99 ÷ netty p99 |" if netty else " |"))
    print("|---" * (3 + len(peers) + netty) + "|")
    for (config, test), by in rows.items():
        if not config.endswith("-P1"):
            continue

        def cell(name):
            return (f"{fmt_rps(median(by[name]['rps']))} / {median(by[name]['p99']):.2f} / "
                    f"{us(config, test, name)}")

        ratio = f" {median(by[me]['p99']) / median(by['netty']['p99']):.2f} |" if netty else ""
        print(f"| {config} | {test} | {cell(me)} | " + " | ".join(cell(p) for p in peers) + " |" + ratio)


if __name__ == "__main__":
    main()
