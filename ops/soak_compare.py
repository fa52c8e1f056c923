#!/usr/bin/env python3
"""Side by side: two soaks of the same log run at the same time (ops/soak.sh
with different --out and settings), compared at equal progress.

Usage: ops/soak_compare.py [--json] NAME=DIR NAME=DIR

Reads DIR/progress.csv of each run (written by ops/soak.sh) and prints, at
each tenth of the events both consumed, each run's RSS and the store's part
of it, then the rates over the whole run; the ratios are the second run over
the first. Run at the same time on the same machine, both see the same noise,
so the ratios hold where absolute rates would not. --json prints the same
figures as one JSON object.
"""
import csv
import json
import statistics
import sys


def load(path):
    rows = list(csv.DictReader(open(path)))
    if len(rows) < 3:
        sys.exit("soak_compare: %s has too few progress lines" % path)
    return [{k: v for k, v in r.items()} for r in rows]


def num(row, key):
    value = row.get(key, "")
    return float(value.rstrip("%")) if value not in ("", None) else float("nan")


def at_consumed(rows, target):
    """The first progress line at or past `target` events consumed."""
    return next((r for r in rows if num(r, "consumed") >= target), rows[-1])


def rates(rows):
    first = next((r for r in rows if num(r, "trained") > 0), rows[0])
    last = rows[-1]
    span = max(1.0, num(last, "t_s") - num(first, "t_s"))
    warm = [r for r in rows if num(r, "t_s") >= 60] or rows
    return {
        "events_per_s": (num(last, "consumed") - num(first, "consumed")) / span,
        "targets_per_s": (num(last, "trained") - num(first, "trained")) / span,
        "consumed": num(last, "consumed"),
        "rss_mb_median": statistics.median(num(r, "rss_mb") for r in warm),
        "rss_mb_max": max(num(r, "rss_mb") for r in warm),
    }


def main(argv):
    as_json = "--json" in argv
    runs = [a.split("=", 1) for a in argv if a != "--json"]
    if len(runs) != 2 or any(len(r) != 2 for r in runs):
        sys.exit(__doc__)
    (name_a, dir_a), (name_b, dir_b) = runs
    a, b = load(dir_a + "/progress.csv"), load(dir_b + "/progress.csv")
    common = min(num(a[-1], "consumed"), num(b[-1], "consumed"))
    points = []
    for tenth in range(1, 11):
        target = common * tenth / 10
        ra, rb = at_consumed(a, target), at_consumed(b, target)
        points.append({
            "consumed": round(target),
            name_a: {"rss_mb": num(ra, "rss_mb"), "store_mb": num(ra, "store_mb")},
            name_b: {"rss_mb": num(rb, "rss_mb"), "store_mb": num(rb, "store_mb")},
            "rss_ratio": num(rb, "rss_mb") / num(ra, "rss_mb"),
        })
    whole = {name_a: rates(a), name_b: rates(b)}
    whole["events_per_s_ratio"] = whole[name_b]["events_per_s"] / whole[name_a]["events_per_s"]
    whole["rss_median_ratio"] = whole[name_b]["rss_mb_median"] / whole[name_a]["rss_mb_median"]
    if as_json:
        print(json.dumps({"runs": {name_a: dir_a, name_b: dir_b}, "by_consumed": points, "whole_run": whole}))
        return
    print("%-12s %14s %14s %14s %14s %10s" % ("consumed", name_a + " RSS", name_a + " store", name_b + " RSS",
                                              name_b + " store", "RSS b/a"))
    for p in points:
        print("%-12d %14.0f %14.0f %14.0f %14.0f %10.2f" % (p["consumed"], p[name_a]["rss_mb"], p[name_a]["store_mb"],
                                                          p[name_b]["rss_mb"], p[name_b]["store_mb"], p["rss_ratio"]))
    print()
    print("%-28s %12s %12s %10s" % ("whole run", name_a, name_b, "b/a"))
    for key in ("events_per_s", "targets_per_s", "rss_mb_median", "rss_mb_max"):
        va, vb = whole[name_a][key], whole[name_b][key]
        print("%-28s %12.0f %12.0f %10.2f" % (key, va, vb, vb / va))


if __name__ == "__main__":
    main(sys.argv[1:])
