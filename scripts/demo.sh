#!/usr/bin/env bash
# make demo: a team adopts ops on the bundled demo data, then walks one new incident from
# alert to close. Everything happens in a fresh ops repository under demo/ (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

ops="$PWD/.build/debug/ops"
repo="$PWD/demo/ops"
fixtures="$PWD/Tests/OpsCLITests/Fixtures"
# Bold step lines only on a terminal, and never with NO_COLOR.
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain" >&2; }

rm -rf demo
mkdir -p demo
# The demo signs its commits as people from the example team, never as you.
export OPS_USER=alice

step ops init demo/ops --example
"$ops" init demo/ops --example
cd "$repo"

step "cp -r incidents/ demo/ops/ && git commit    (eight weeks of the team's incident history)"
cp -r "$OLDPWD/incidents" .
git add incidents
git -c user.name="Alice Martin" -c user.email=alice@example.com commit -qm "Import eight weeks of incident history"
echo "$(find incidents -name incident.md | wc -l) incidents" >&2

step ops lint
"$ops" lint

step ops stats --week 2026-W47
"$ops" stats --week 2026-W47

step "ops stats --since 2026-09-28 --by severity --format csv | head -5"
"$ops" stats --since 2026-09-28 --by severity --format csv | head -5

# #sre-oncall is a Slack incoming webhook (the example's delivery:); here a stand-in on
# 127.0.0.1 plays Slack, so the messages the incident sends can be read at the end.
demo="$(dirname "$repo")"
python3 "$demo/../scripts/demo-slack.py" "$demo/slack.port" "$demo/slack.log" &
slack=$!
trap 'kill $slack 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$demo/slack.port" ] && break; sleep 0.1; done
export OPS_SLACK_SRE_ONCALL="http://127.0.0.1:$(cat "$demo/slack.port")/services/demo"

# Replay the alert of Wednesday 18 November as it happened: OPS_NOW sets the clock for a command.
at() { OPS_NOW="$1" "${@:2}"; }

step "ops alert ingest firing.json    (14:04 UTC: Alertmanager fires, an incident opens, its ID on stdout)"
id=$(at 2026-11-18T14:04:30Z "$ops" alert ingest "$fixtures/alertmanager-firing.json")
echo "$id"
short=$(echo "$id" | cut -d- -f3 | cut -c1-4 | tr 'A-Z' 'a-z')

step "ops oncall who sre    (who is paged: oncall.yaml, which ops init --example wrote)"
at 2026-11-18T14:05:00Z "$ops" oncall who sre

step "ops alert ingest firing.json    (Alertmanager re-sends: nothing changes)"
at 2026-11-18T14:09:30Z "$ops" alert ingest "$fixtures/alertmanager-firing.json"

step ops incident ack "$short" --as bob
at 2026-11-18T14:07:02Z "$ops" incident ack "$short" --as bob
step ops incident assign "$short" comms carol
at 2026-11-18T14:09:00Z "$ops" incident assign "$short" comms carol
step "ops step check $short detection.1, detection.2    (the checklist of the runbook the alert named came with the incident)"
at 2026-11-18T14:12:00Z "$ops" step check "$short" detection.1 --as bob
at 2026-11-18T14:13:00Z "$ops" step check "$short" detection.2 --as bob
step ops incident note "$short" '"Traces: reranker span 900ms since model v43 went out at 14:55"'
at 2026-11-18T14:15:40Z "$ops" incident note "$short" "Traces: reranker span 900ms since model v43 went out at 14:55"
step ops incident correct "$short" started --at 14:55
at 2026-11-18T14:16:10Z "$ops" incident correct "$short" started --at 14:55
step "ops step check $short diagnosis.1 --note ..."
at 2026-11-18T14:16:40Z "$ops" step check "$short" diagnosis.1 --note "reranker span 900ms"
step ops incident sev "$short" SEV1
at 2026-11-18T14:18:00Z "$ops" incident sev "$short" SEV1
step "ops step skip $short mitigation.5 --reason ...    (not applicable: counted apart)"
at 2026-11-18T14:30:00Z "$ops" step skip "$short" mitigation.5 --reason "rollback is enough; no fallback model needed"
step ops incident note "$short" '"Rolled back to v42; p95 back under 1s"'
at 2026-11-18T14:41:00Z "$ops" incident note "$short" "Rolled back to v42; p95 back under 1s"
step ops incident update "$short" '"Rolled back to v42; answers fast again. Watching for an hour."'
at 2026-11-18T14:44:00Z "$ops" incident update "$short" "Rolled back to v42; answers fast again. Watching for an hour." --as carol
step ops incident mitigate "$short"
at 2026-11-18T14:41:00Z "$ops" incident mitigate "$short"
step ops step check "$short" mitigation.1
at 2026-11-18T14:41:10Z "$ops" step check "$short" mitigation.1 --note "rolled back to v42"
step "ops alert ingest resolved.json  (the alert clears; people still resolve the incident)"
at 2026-11-18T15:12:00Z "$ops" alert ingest "$fixtures/alertmanager-resolved.json"
step ops incident resolve "$short"
at 2026-11-18T15:20:00Z "$ops" incident resolve "$short"

step "cat slack.log    (what #sre-oncall received, one line per message)"
cat "$demo/slack.log"
step ops notify status
"$ops" notify status

step ops incident show "$short"
"$ops" incident show "$short"

step "ops incident list --sev SEV1"
"$ops" incident list --sev SEV1

step "ops postmortem list --missing    (a SEV1 needs a postmortem within 3 business days)"
at 2026-11-19T09:00:00Z "$ops" postmortem list --missing

step ops postmortem new "$short"
at 2026-11-19T09:05:00Z "$ops" postmortem new "$short"
step "ops postmortem lint    (the draft still has no root cause: lint says so, with file:line)"
at 2026-11-19T09:06:00Z "$ops" postmortem lint || echo "(exit $?: the team fills it in next)" >&2
step "head -40 postmortem.md"
head -40 "incidents/2026/11/$id/postmortem.md"

step ops incident close "$short"
at 2026-11-19T09:10:00Z "$ops" incident close "$short"

step "ops stats --week 2026-W47    (the new incident counts now)"
"$ops" stats --week 2026-W47 | head -8

step "ops backlog sync    (postmortem action items become backlog items; run twice, the second adds nothing)"
at 2026-11-20T10:00:00Z "$ops" backlog sync >/dev/null
at 2026-11-20T10:01:00Z "$ops" backlog sync
step "ops backlog list --tag SLO --overdue    (as of Monday 23 November)"
at 2026-11-23T09:00:00Z "$ops" backlog list --tag SLO --overdue | head -8

step ops decision new '"Canary every model rollout on ops_copilot"' --owner bob --tag SLO --incident "$short" --review 2026-W47
decision=$(at 2026-11-20T16:00:00Z "$ops" decision new "Canary every model rollout on ops_copilot" --owner bob --tag SLO \
  --incident "$short" --review 2026-W47 --context "v43 reached all traffic at once" --decision "Roll out models 5% first for 30 minutes")
echo "$decision"
step ops decision accept "$decision" --as alice
at 2026-11-20T16:30:00Z "$ops" decision accept "$decision" --as alice
step "a hand edit, committed with plain git: the owner changes"
sed -i 's/^owner: bob$/owner: carol/' decisions/"$decision"-*.md
git -c user.name="Carol Nguyen" -c user.email=carol@example.com commit -qam "Carol takes the canary decision"
step ops history "$decision"
"$ops" history "$decision"

step "ops raci who \"Error budgets\""
"$ops" raci who "Error budgets"

# SLOs: every fixture imported (the events CSV before the Prometheus pair: a later import of the
# same days replaces them, and the hours are finer), then budgets, the week's signals and the gate.
# The error-budget policies are the ones `ops init --example` wrote.
slo="$fixtures/slo"
step "ops slo import --csv events_2026-W47.csv    (daily good/total events of three use cases)"
at 2026-11-23T11:00:00Z "$ops" slo import --csv "$slo/events_2026-W47.csv"
step "ops slo import --csv signals_2026-W47.csv    (latency, groundedness, cost, drift, data quality)"
at 2026-11-23T11:00:10Z "$ops" slo import --csv "$slo/signals_2026-W47.csv"
step "ops slo import --prometheus-good ... --prometheus-total ...    (ops_copilot by the hour)"
at 2026-11-23T11:00:20Z "$ops" slo import --prometheus-good "$slo/ops_copilot_good.json" \
  --prometheus-total "$slo/ops_copilot_total.json" --use-case ops_copilot --sli availability
step "ops slo import --openslo openslo_ops_copilot.yaml"
at 2026-11-23T11:00:30Z "$ops" slo import --openslo "$slo/openslo_ops_copilot.yaml"
step ops slo status
at 2026-11-23T11:01:00Z "$ops" slo status
step "ops checks run --use-case ops_copilot --week 2026-W47    (drift computed from the answers file ops init --example wrote)"
at 2026-11-23T11:01:30Z "$ops" checks run --use-case ops_copilot --week 2026-W47 || echo "(exit $?: a check reached a level; the page opened an incident)" >&2
step ops signals status --week 2026-W47
at 2026-11-23T11:02:00Z "$ops" signals status --week 2026-W47
step "ops release check --use-case ops_copilot    (its budget is spent: refused)"
at 2026-11-23T11:05:00Z "$ops" release check --use-case ops_copilot || echo "(exit $?: frozen)" >&2
# Dave (Head of Platform) approves exceptions for the VP: his SSH key goes into the approvers' file
# in a reviewed change, and Git signs his approval with it (gpg.format ssh, user.signingkey).
step "ssh-keygen -t ed25519 -f demo/dave_key; his key into policies/allowed_signers; git commit"
ssh-keygen -q -t ed25519 -N "" -C dave@example.com -f "$demo/dave_key"
echo "dave@example.com namespaces=\"git\" $(cut -d' ' -f1,2 "$demo/dave_key.pub")" >> policies/allowed_signers
git add policies/allowed_signers
git -c user.name="Alice Martin" -c user.email=alice@example.com commit -qm "Dave approves release exceptions"
git config gpg.format ssh
git config user.signingkey "$demo/dave_key"
git config gpg.ssh.allowedSignersFile policies/allowed_signers
step "ops release approve ops_copilot --change security_fix --as dave    (signed with Dave's own key)"
at 2026-11-23T11:05:30Z "$ops" release approve ops_copilot --change security_fix --reason "CVE-2026-1234 patch" --as dave
step "ops release check --use-case ops_copilot --change security_fix    (the signed approval lets it through)"
at 2026-11-23T11:06:00Z "$ops" release check --use-case ops_copilot --change security_fix
step "ops verify    (every signature and approval in the history checks out; git log --show-signature agrees)"
"$ops" verify
step "ops policy replay --use-case ops_copilot    (what its policy did over the imported week: the freezes and hours)"
"$ops" policy replay --use-case ops_copilot
step "ops decision list --tag SLO    (the exception is on record; made on Monday, it belongs to the W48 pack)"
"$ops" decision list --tag SLO

step "ops review pack --week 2026-W47    (Monday: the weekly Ops Review pack, one commit)"
at 2026-11-23T08:00:00Z "$ops" review pack --week 2026-W47
step "head -49 reviews/2026-W47/pack.md"
head -49 reviews/2026-W47/pack.md

step "git log --format='%h %an: %s' -8"
git --no-pager log --format='%h %an: %s' -8

printf "\nThe demo repository is %s\nThe weekly pack: %s\n" "$repo" "$repo/reviews/2026-W47/pack.html"
