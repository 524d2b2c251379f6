"""What Prometheus' Python client (prometheus_client 0.26) answers, for the
Rust differential tests of negotiation and escaping.

    python3 python_client_reference.py negotiate < accepts   # one Accept per line
    python3 python_client_reference.py render SCHEME          # text 1.0.0 of the reference registry

`negotiate` prints, per Accept, the Content-Type `exposition.choose_encoder`
picks, one per line. `render` prints the Prometheus text format 1.0.0 of a
registry with the names of tests/negotiation_matches_the_python_client.rs,
spelled by SCHEME (allow-utf-8, underscores, dots, values).
"""

import sys

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram
from prometheus_client.exposition import choose_encoder, generate_latest


def registry():
    prometheus_client.disable_created_metrics()
    r = CollectorRegistry()
    duration = Histogram(
        "http.server.request.duration_seconds",
        "Request time.",
        ["http.request.method"],
        buckets=[0.5],
        registry=r,
    )
    duration.labels("GET").observe(0.25)
    duration.labels("POST")
    jobs = Counter("app.jobs_total", "Jobs done.", ["ok"], registry=r)
    jobs.labels("false")
    jobs.labels("true").inc(3)
    phase = Enum("worker.phase", "What the worker does.", states=["idle", "busy"], registry=r)
    phase.state("busy")
    Gauge('odd "name" \\ here', "An odd name.", registry=r).set(-1)
    depth = Gauge("queue_depth", "Queue depth.", ["queue.name"], registry=r)
    depth.labels("false")
    depth.labels("true").set(5)
    return r


def main():
    if sys.argv[1] == "negotiate":
        for accept in sys.stdin.read().split("\n"):
            if accept:
                print(choose_encoder(accept)[1])
    elif sys.argv[1] == "render":
        sys.stdout.write(generate_latest(registry(), sys.argv[2]).decode())
    else:
        sys.exit(f"unknown mode {sys.argv[1]}")


if __name__ == "__main__":
    main()
