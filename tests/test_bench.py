"""The benchmarks' own measuring (bench/): what docs/benchmarks.md reports rests on it."""

from __future__ import annotations

import sys

from bench.scale import run_measured


def test_memory_shared_by_a_forked_process_is_counted_once_in_proportional_sizes() -> None:
    """A process that fills 200 MB and forks for a second: resident sizes sum it twice, proportional
    sizes (what the machine holds) once; the build's own process is named ``build``."""
    script = (
        "import os, time\n"
        "block = bytearray(200 * 2**20)\n"
        "block[::4096] = b'x' * len(block[::4096])\n"
        "if os.fork() == 0:\n"
        "    time.sleep(1.5); os._exit(0)\n"
        "time.sleep(1.5); os.wait()\n"
    )
    measured = run_measured([sys.executable, "-c", script], {})
    assert measured["peak_mb"]["build"] >= 200
    assert measured["peak_total_mb"] >= 400
    assert 200 <= measured["peak_pss_mb"] < 300
