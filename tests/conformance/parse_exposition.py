"""Parses exposition text from stdin with Prometheus' Python client and prints
what it read as JSON, for the Rust conformance tests.

    python3 parse_exposition.py prometheus|openmetrics < exposition

Output: a list of families, each {"name", "type", "help", "unit", "samples"},
samples as [name, {labels}, value] with non-finite values spelled "NaN",
"+Inf", "-Inf", and a fourth element {"labels", "value", "timestamp_ms"} for a
sample with an exemplar. A parse error exits with status 1 and the error on
stderr.
"""

import json
import math
import sys

from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus


def number(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def timestamp_ms(ts):
    if ts is None:
        return None
    if hasattr(ts, "sec"):
        return ts.sec * 1000 + ts.nsec // 1_000_000
    return round(float(ts) * 1000)


def sample(s):
    out = [s.name, dict(s.labels), number(s.value)]
    exemplar = getattr(s, "exemplar", None)
    if exemplar is not None:
        out.append(
            {
                "labels": dict(exemplar.labels),
                "value": number(exemplar.value),
                "timestamp_ms": timestamp_ms(exemplar.timestamp),
            }
        )
    return out


def main():
    parse = {"prometheus": parse_prometheus, "openmetrics": parse_openmetrics}[sys.argv[1]]
    text = sys.stdin.read()
    try:
        families = [
            {
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "unit": family.unit,
                "samples": [sample(s) for s in family.samples],
            }
            for family in parse(text)
        ]
    except Exception as error:  # the parsers raise ValueError and others
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    json.dump(families, sys.stdout)


if __name__ == "__main__":
    main()
