#!/usr/bin/env python3
"""Load for `ops serve`: N deliveries from C concurrent clients, as in the test
ServeLoadTests (same payloads: 60 distinct alerts, 1-3 per delivery, one in ten a resolve).
Each client keeps its connection open, as Alertmanager does. Prints JSON with requests/s and
latency percentiles; checks every delivery got 200 and returns the IDs of incidents opened."""
import argparse, http.client, json, sys, threading, time

DISTINCT = 60


def payload(index):
    resolved = index % 10 == 9
    alerts = []
    for k in range(1 + index % 3):
        alert = (index + k) % DISTINCT if index < DISTINCT else (index * 7 + k * 13) % DISTINCT
        alerts.append({
            "status": "resolved" if resolved else "firing",
            "labels": {"alertname": f"LoadAlert{alert}", "severity": "page", "use_case": "ops_copilot"},
            "annotations": {"summary": f"Load alert {alert}"},
            "startsAt": "2026-11-23T08:00:00Z",
            "endsAt": "2026-11-23T08:30:00Z" if resolved else "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph",
            "fingerprint": "%016x" % (0xa1e70000 + alert),
        })
    body = {"version": "4", "receiver": "ops", "status": "resolved" if resolved else "firing", "alerts": alerts,
            "groupKey": "{}:{index=\"%d\"}" % index, "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0}
    return json.dumps(body, sort_keys=True).encode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {args.token}"}
    bodies = [payload(i) for i in range(args.deliveries)]
    latencies, statuses, opened, changing = [0.0] * args.deliveries, [0] * args.deliveries, [], [0]
    lock = threading.Lock()

    def client(number):
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        for index in range(number, args.deliveries, args.clients):
            start = time.perf_counter()
            connection.request("POST", "/alertmanager", body=bodies[index], headers=headers)
            response = connection.getresponse()
            data = response.read()
            latencies[index] = time.perf_counter() - start
            statuses[index] = response.status
            if response.status == 200:
                reply = json.loads(data)
                with lock:
                    opened.extend(reply["opened"])
                    if reply["opened"] or reply["updated"]:
                        changing[0] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    ordered = sorted(latencies)

    def percentile(p):
        return ordered[max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 1)) - 1))] * 1000

    bad = [s for s in statuses if s != 200]
    print(json.dumps({
        "deliveries": args.deliveries, "clients": args.clients, "seconds": round(wall, 2),
        "requests_per_second": round(args.deliveries / wall, 1), "p50_ms": round(percentile(0.50), 1),
        "p99_ms": round(percentile(0.99), 1), "max_ms": round(ordered[-1] * 1000, 1),
        "non_200": len(bad), "incidents_opened": len(opened), "distinct_opened": len(set(opened)),
        "changing_deliveries": changing[0],
    }))
    return 1 if bad or len(opened) != len(set(opened)) else 0


if __name__ == "__main__":
    sys.exit(main())
