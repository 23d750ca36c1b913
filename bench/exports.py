"""Export-writer benchmark: the portal's CSV and XLSX files of the work queue, without the
service behind them.

Writes --rows synthetic queue rows (Chinese names and cities, an industry, size, ownership,
status and two missing facts each, as `GET /v1/measures/{id}/enterprises` returns them) through
the portal's own export code (`portal.web.exports`: the cells in Chinese, the writer, the
temporary file and its chunks), and prints the seconds and this process's resident memory
before, at the peak (sampled every 20 ms) and after. bench/casework.py measures the same files
with the eligibility service's pages behind them.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

sys.path.remove(sys.path[0])  # bench/portal.py is not the portal
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.web.exports import write_csv, write_xlsx, written

MB = 1024 * 1024
_CITIES = ("深圳市", "广州市", "佛山市", "东莞市", "珠海市")


def queue_rows(count: int) -> Iterator[dict[str, Any]]:
    for i in range(count):
        yield {
            "uscc": f"914403{i:012d}",
            "name": f"{_CITIES[i % 5][:2]}星河电子科技有限公司第{i}分公司",
            "province_code": "44",
            "city": _CITIES[i % 5],
            "industry_code": "C3921",
            "size_class": ("micro", "small", "medium", "large")[i % 4],
            "ownership": "private",
            "status": "possibly_eligible",
            "missing_facts": [
                {
                    "fact": "tax_credit_grade",
                    "label_zh": "纳税信用等级",
                    "label_en": "tax credit grade",
                },
                {"fact": "vat_sales", "label_zh": "增值税销售额", "label_en": "VAT sales"},
            ],
            "evaluated_on": "2026-12-06",
        }


def timed(kind: str, rows: int) -> dict[str, float]:
    """Seconds and memory (MB) of one export of `rows` rows."""
    process = psutil.Process()
    before = process.memory_info().rss
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    if kind == "csv":
        chunks = written(write_csv, queue_rows(rows), "zh")
    else:
        chunks = written(write_xlsx, queue_rows(rows), "zh", "工作清单")
    size = sum(len(chunk) for chunk in chunks)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    after = process.memory_info().rss
    return {
        "seconds": seconds,
        "mb": size / MB,
        "before": before / MB,
        "peak": peak[0] / MB,
        "after": after / MB,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"Exports of {args.rows:,} work-queue rows (the portal's writers; no service behind them)"
    )
    for kind in ("csv", "xlsx"):
        for run in range(1, args.repeat + 1):
            f = timed(kind, args.rows)
            print(
                f"  {kind:<4} run {run}: {f['seconds']:.2f} s, {f['mb']:.1f} MB file; resident "
                f"{f['before']:.1f} MB before, {f['peak']:.1f} MB peak, {f['after']:.1f} MB after"
            )
    print(f"  load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in psutil.getloadavg())}")


if __name__ == "__main__":
    main()
