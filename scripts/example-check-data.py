#!/usr/bin/env python3
"""Writes the example dataset `ops init --example` installs for `ops checks run`:
ops_copilot's answers of ISO weeks 2026-W46 (the reference) and 2026-W47 (the week checked),
one row per sampled answer. W47 drifts on purpose: longer prompts, more Japanese traffic and
lower groundedness, so the example shows an alert, a review and a page.
Deterministic (a fixed seed, the standard library only): run it again and the file is the same.
  python3 scripts/example-check-data.py > Sources/OpsKit/Starter/checks-ops_copilot-answers.csv
"""
import random
from datetime import datetime, timedelta, timezone

rng = random.Random(47)
languages = ["en", "de", "fr", "es", "ja", "pt", "it", "nl", "pl", "sv", "ko"]
before = [0.52, 0.14, 0.09, 0.07, 0.06, 0.04, 0.03, 0.02, 0.01, 0.01, 0.01]
after = [0.44, 0.13, 0.08, 0.07, 0.16, 0.04, 0.03, 0.02, 0.01, 0.01, 0.01]

print("ts,prompt_tokens,groundedness,language")
for week_start, tokens_mu, grounded_mean, shares in [
    (datetime(2026, 11, 9, tzinfo=timezone.utc), 5.95, 4.46, before),
    (datetime(2026, 11, 16, tzinfo=timezone.utc), 6.22, 4.05, after),
]:
    for i in range(420):
        at = week_start + timedelta(seconds=int(i * 7 * 86400 / 420) + rng.randrange(0, 1200))
        tokens = max(12, int(rng.lognormvariate(tokens_mu, 0.45)))
        grounded = min(5.0, max(0.0, rng.gauss(grounded_mean, 0.35)))
        language = rng.choices(languages, weights=shares)[0]
        print(f"{at.strftime('%Y-%m-%dT%H:%M:%SZ')},{tokens},{grounded:.2f},{language}")
