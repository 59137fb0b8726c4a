"""The benchmark suite's own machinery: figures, verdicts, the wrk inputs and its memory probe.

No timing is asserted here: these tests prove that what the benchmarks send is what they
claim to send (valid, distinct requests the emulator accepts) and that their verdicts
read the figures the way docs/performance.md says.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks import bench_emulator
from benchmarks.__main__ import markdown
from benchmarks.bench_roundtrip import PEAK
from benchmarks.stats import figure, mark, spread, verdict
from boomisoap.sandbox import Sandbox


def test_a_figure_needs_three_samples() -> None:
    with pytest.raises(ValueError, match="at least 3 samples"):
        spread([1.0, 2.0])
    assert spread([3.0, 1.0, 2.0]) == {"n": 3, "min": 1.0, "median": 2.0, "max": 3.0}


def test_ratio_and_verdict_of_a_figure() -> None:
    row = figure("w", "ours", "µs", [50, 60, 70], baseline="peer", baseline_median=100.0,
                 target="<= 0.6")  # fmt: skip
    assert row["ratio"] == 0.6 and row["met"] is True
    row = figure("w", "ours", "µs", [50, 61, 70], baseline="peer", baseline_median=100.0,
                 target="<= 0.6")  # fmt: skip
    assert row["met"] is False


def test_a_target_of_several_clauses_needs_all_of_them() -> None:
    row = {"ratio": 0.55, "median": 3000, "p99_ms": 21.0, "errors": 0}
    assert not verdict(row, "ratio >= 0.5; median >= 2500; p99_ms <= 20; errors <= 0", "ratio")
    row["p99_ms"] = 19.0
    assert verdict(row, "ratio >= 0.5; median >= 2,500; p99_ms <= 20; errors <= 0", "ratio")
    assert not verdict({"ratio": None}, "<= 1", "ratio")  # no figure is no pass


def test_markdown_marks_met_and_missed() -> None:
    env = {"date": "d", "machine": "m", "versions": "v"}
    rows = [
        figure("w", "a", "µs", [1, 2, 3], baseline="b", baseline_median=4.0, target="<= 1"),
        figure("w", "c", "µs", [5, 6, 7], baseline="b", baseline_median=4.0, target="<= 1"),
    ]
    text = markdown(rows, env)
    assert "Measured d on m; v." in text
    assert text.count("✔") == 1 and text.count("✘") == 1
    assert mark(None) == ""


def _post(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_the_load_bodies_are_accepted_and_digest_ones_only_once() -> None:
    options = {"users": {"u": "p"}, "seed_demo": True, "rate_limit": None}
    with Sandbox.start(**options) as sandbox:
        url = f"{sandbox.base_url}/apim/api/soap/v1/{sandbox.account_id}"
        (text,) = bench_emulator.text_bodies()
        assert _post(url, text) == 200
        assert _post(url, text) == 200  # no Nonce: the same bytes may be sent again
        first, second = bench_emulator.digest_bodies(2)
        assert first != second
        assert _post(url, first) == 200
        assert _post(url, second) == 200
        assert _post(url, first) == 403  # the replay cache refuses a repeated Nonce


def test_wrk_runs_the_lua_script_without_errors() -> None:
    # wrk is a test dependency (scripts/test installs the Debian package): no skip.
    options = {"users": {"u": "p"}, "seed_demo": True, "rate_limit": None}
    with Sandbox.start(**options) as sandbox, tempfile.TemporaryDirectory() as tmp:
        url = f"{sandbox.base_url}/apim/api/soap/v1/{sandbox.account_id}"
        found = bench_emulator.wrk(url, bench_emulator.digest_bodies(30_000), 1, Path(tmp))
    assert found["requests"] > 0
    assert found["errors"] == 0  # every digest request accepted: none replayed, none refused


def test_the_memory_probe_reads_the_process_own_high_water_mark() -> None:
    # A child that allocates 64 MB reports at least that; a fresh one does not inherit it.
    big = subprocess.run(
        [sys.executable, "-c", f"x = bytearray(64 << 20); x[::4096] = b'1' * (16 << 10); "
         f"print({PEAK})"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    small = subprocess.run(
        [sys.executable, "-c", f"print({PEAK})"], capture_output=True, text=True, check=True
    )
    assert int(big.stdout) - int(small.stdout) > 60 * 1024


def test_the_async_rows_run_in_quick_mode() -> None:
    from benchmarks import bench_async

    rows = bench_async.run(quick=True)
    assert [r["variant"] for r in rows] == [
        "ApimClient, threads: throughput",
        "ApimClient, threads: p99 latency",
        "AsyncApimClient, tasks: throughput",
        "AsyncApimClient, tasks: p99 latency",
    ]
    assert all(r["n"] >= 3 and r["min"] <= r["median"] <= r["max"] for r in rows)
    assert rows[0]["ratio"] == 1.0 and rows[2]["ratio"] is not None


def test_the_suite_runner_measures_each_suite_in_a_fresh_process() -> None:
    # The parent never imports the suite; the rows are still all there, and the suite's
    # own prints go to stderr, so that --json output stays one document.
    probe = (
        "import json, sys; from benchmarks.__main__ import main; main(sys.argv[1:]);"
        " print(json.dumps('benchmarks.bench_async' in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, "--quick", "--only", "bench_async", "--json"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    found = json.loads(done.stdout)
    assert {"date", "machine", "versions"} <= set(found["environment"])
    assert len(found["rows"]) == 4 and found["rows"][0]["n"] >= 3
    assert done.stderr.strip().splitlines()[-1] == "false"
