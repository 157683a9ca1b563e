#!/usr/bin/env python3
"""Draws a throughput run as an SVG bar chart: median requests/s of each target relative to one of them.

    python3 bench/chart.py bench/results/throughput-X/summary.json docs/benchmarks-throughput.svg [--base netty]

Reads the summary.json that the harness (shared/bench/lib/bench.py) writes next to summary.md:
{"CONFIG/TEST/TARGET": {"rps": [one value per round], ...}}. One group of bars per config and test, one bar per
target, height = median rps / median rps of the base target, with the ratio written on each bar and a line at
1.0. Python 3 standard library only.
"""
import argparse
import json
import statistics
from xml.sax.saxutils import escape

COLORS = ["#1b6ca8", "#e07b39", "#6a9f3a", "#8e5ea2", "#c23b3b", "#7a7a7a"]
GROUP_GAP, BAR_W, PLOT_H, TOP, LEFT, BOTTOM = 18, 14, 260, 40, 50, 90


def load(path):
    """Returns (groups in order, targets in order, {(group, target): median rps})."""
    with open(path) as f:
        data = json.load(f)
    groups, targets, medians = [], [], {}
    for key, value in data.items():
        config, test, target = key.split("/")
        group = f"{config} {test}"
        if group not in groups:
            groups.append(group)
        if target not in targets:
            targets.append(target)
        medians[(group, target)] = statistics.median(value["rps"])
    return groups, targets, medians


def svg(groups, targets, medians, base, title):
    ratios = {k: v / medians[(k[0], base)] for k, v in medians.items() if medians.get((k[0], base))}
    top = max(1.0, max(ratios.values()))
    scale = PLOT_H / (top * 1.1)
    group_w = len(targets) * BAR_W + GROUP_GAP
    width = LEFT + len(groups) * group_w + 20
    height = TOP + PLOT_H + BOTTOM
    base_y = TOP + PLOT_H
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="10">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="16" font-size="13">{escape(title)}</text>']
    for i, target in enumerate(targets):
        x = LEFT + i * 110
        out.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{COLORS[i % len(COLORS)]}"/>')
        out.append(f'<text x="{x + 14}" y="33">{escape(target)}</text>')
    for tick in [t / 2 for t in range(0, int(top * 2.2) + 1)]:
        y = base_y - tick * scale
        if y < TOP - 5:
            break
        dash = '' if tick else ' stroke-width="1.2"'
        out.append(f'<line x1="{LEFT - 4}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ccc"{dash}/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 3:.1f}" text-anchor="end">{tick:g}×</text>')
    y1 = base_y - scale
    out.append(f'<line x1="{LEFT}" x2="{width - 10}" y1="{y1:.1f}" y2="{y1:.1f}" stroke="#333" '
               f'stroke-dasharray="4 3"/>')
    for g, group in enumerate(groups):
        gx = LEFT + g * group_w + GROUP_GAP / 2
        for i, target in enumerate(targets):
            r = ratios.get((group, target))
            if r is None:
                continue
            h = r * scale
            x = gx + i * BAR_W
            out.append(f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{BAR_W - 2}" height="{h:.1f}" '
                       f'fill="{COLORS[i % len(COLORS)]}"><title>{escape(target)} {escape(group)}: '
                       f'{medians[(group, target)]:.0f} req/s, {r:.2f}× {escape(base)}</title></rect>')
            out.append(f'<text x="{x + BAR_W / 2 - 1:.1f}" y="{base_y - h - 3:.1f}" font-size="7" '
                       f'text-anchor="middle">{r:.2f}</text>')
        cx = gx + len(targets) * BAR_W / 2
        out.append(f'<text x="{cx:.1f}" y="{base_y + 12}" text-anchor="end" '
                   f'transform="rotate(-40 {cx:.1f} {base_y + 12})">{escape(group)}</text>')
    out.append(f'<text x="12" y="{TOP + PLOT_H / 2}" transform="rotate(-90 12 {TOP + PLOT_H / 2})" '
               f'text-anchor="middle">median req/s ÷ {escape(base)}</text>')
    out.append('</svg>')
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("summary", help="summary.json of a throughput run")
    ap.add_argument("output", help="the SVG file to write")
    ap.add_argument("--base", default="netty", help="the target every bar is divided by (default: netty)")
    ap.add_argument("--title", default="Throughput relative to netty, redis-benchmark -c 50 (median of rounds)")
    args = ap.parse_args()
    groups, targets, medians = load(args.summary)
    if args.base not in targets:
        ap.error(f"--base {args.base} is not a target of this run: {', '.join(targets)}")
    with open(args.output, "w") as f:
        f.write(svg(groups, targets, medians, args.base, args.title))


if __name__ == "__main__":
    main()
