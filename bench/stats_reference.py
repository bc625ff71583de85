#!/usr/bin/env python3
"""The plain-script baseline for `ops stats`: read every incidents/**/incident.md in the work
tree, parse its front matter with PyYAML, and compute the same figures as `ops stats --json`'s
"all" group (DESIGN §4: each figure over every incident that has both its clock points, resolved
or not; an incident missing one counts as missing only once its status has reached the figure's
(time to detect: always); clock points out of order left out; clock start detected_at falling
back to opened_at; median of the middle two, p90 by nearest rank).

    stats_reference.py REPO [--loader c|py]     prints the figures as JSON
"""
import glob, json, math, os, sys, datetime
import yaml

repo = sys.argv[1]
loader = yaml.CSafeLoader if "--loader" in sys.argv and sys.argv[sys.argv.index("--loader") + 1] == "c" else yaml.SafeLoader
POINTS = ["started", "detected", "opened", "acknowledged", "mitigated", "resolved", "closed"]
STATUSES = ["open", "acknowledged", "mitigated", "resolved", "closed"]
# The status an incident has reached once the figure can be known; None: always.
REACHED = {"time_to_detect": None, "time_to_acknowledge": "acknowledged", "time_to_mitigate": "mitigated", "time_to_resolve": "resolved"}
END = {"time_to_detect": "detected", "time_to_acknowledge": "acknowledged", "time_to_mitigate": "mitigated", "time_to_resolve": "resolved"}

def when(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.timestamp() if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc).timestamp()
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()

durations = {"time_to_detect": [], "time_to_acknowledge": [], "time_to_mitigate": [], "time_to_resolve": []}
missing = dict.fromkeys(durations, 0)
for path in glob.glob(os.path.join(repo, "incidents", "*", "*", "*", "incident.md")):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    front = yaml.load(text.split("\n---\n", 1)[0][4:], Loader=loader)
    status = STATUSES.index(front.get("status", "open"))
    clock = {p: when(front.get(p + "_at")) for p in POINTS}
    present = [clock[p] for p in POINTS if clock[p] is not None]
    if any(b < a for i, a in enumerate(present) for b in present[i + 1:]):
        continue
    start = clock["detected"] if clock["detected"] is not None else clock["opened"]
    pairs = {"time_to_detect": (clock["started"], clock["detected"]), "time_to_acknowledge": (start, clock["acknowledged"]),
             "time_to_mitigate": (start, clock["mitigated"]), "time_to_resolve": (start, clock["resolved"])}
    for name, (a, b) in pairs.items():
        if a is not None and b is not None:
            durations[name].append(b - a)
        elif REACHED[name] is None or status >= STATUSES.index(REACHED[name]) or clock[END[name]] is not None:
            missing[name] += 1

def summary(values, name):
    values = sorted(values)
    n = len(values)
    if n == 0:
        return {"count": 0, "missing": missing[name]}
    median = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return {"count": n, "missing": missing[name], "mean_seconds": sum(values) / n, "median_seconds": median,
            "p90_seconds": values[math.ceil(0.9 * n) - 1], "max_seconds": values[-1]}

print(json.dumps({name: summary(values, name) for name, values in durations.items()}, sort_keys=True))
