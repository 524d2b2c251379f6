"""Parses exposition text from stdin with Prometheus' Python client and prints
what it read as JSON, for the Rust conformance tests.

    python3 parse_exposition.py prometheus|openmetrics < exposition

Output: a list of families, each {"name", "type", "help", "unit", "samples"},
samples as [name, {labels}, value] with non-finite values spelled "NaN",
"+Inf", "-Inf". A parse error exits with status 1 and the error on stderr.
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
                "samples": [[s.name, dict(s.labels), number(s.value)] for s in family.samples],
            }
            for family in parse(text)
        ]
    except Exception as error:  # the parsers raise ValueError and others
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    json.dump(families, sys.stdout)


if __name__ == "__main__":
    main()
