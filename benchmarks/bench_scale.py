#!/usr/bin/env python3
"""Scale-out benchmark: ``tokbudget count --jobs N`` and ``tokbudget.dask`` vs one process.

Builds a folder of text files (default 200 MB, cut at line breaks from the real-text
corpora in ``$TOKBUDGET_CORPORA``, default ``benchmarks/.corpora``; see ``corpora.py``)
in a scratch folder outside the repository, then measures, interleaved and repeated:

* the CLI: ``tokbudget count --jobs 1`` and ``--jobs N`` over all files (wall time of
  the whole command, start-up included), and the main process's own CPU time, which is
  the coordinator's cost (reading, decoding, cutting, sending);
* ``--only split``: ``tokbudget split --max-tokens 512 --jobs 1`` against ``--jobs N``
  the same way (whole files go to the workers);
* Dask: one process counting every file with ``count_many`` (one thread), then
  ``tokbudget.dask.count(bag).sum()`` on a LocalCluster of 1 and of N worker processes
  (started beforehand; start-up reported separately), where each task reads its files.

Per-worker rate = bytes / single-process time; coordinator overhead = what the 1-worker
runs lose against the single process. Ratios from the same run are what count: the
machine may be shared.

Usage::

    TOKBUDGET_CORPORA=/path/to/corpora python benchmarks/bench_scale.py \\
        [--size-mb 200] [--jobs 2] [--repeat 3] [--only cli|dask|split] [--json OUT]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import tokbudget
import tokbudget.dask

CORPORA = ("english", "code", "multilingual", "nowhitespace")
FILE_SIZES = (64 << 10, 256 << 10, 1 << 20, 3 << 20)  # a mix of small and large files

_WRAPPER = """
import resource, sys, time
from tokbudget.cli import main
t = time.perf_counter()
code = main(sys.argv[1:])
wall = time.perf_counter() - t
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers, joined by now
print(f"BENCH {wall} {own.ru_utime + own.ru_stime} {kids.ru_utime + kids.ru_stime}",
      file=sys.stderr)
sys.exit(code)
"""


def corpora_dir() -> Path:
    default = Path(__file__).parent / ".corpora"
    return Path(os.environ.get("TOKBUDGET_CORPORA", default))


def build_folder(size_mb: int) -> Path:
    """Write ``size_mb`` MB of text files to a scratch folder (reused when complete)."""
    source = corpora_dir()
    texts = [source / f"{name}.txt" for name in CORPORA]
    missing = [str(p) for p in texts if not p.is_file()]
    if missing:
        sys.exit(
            f"skipped: corpora not found ({', '.join(missing)}); build them with "
            "benchmarks/corpora.py and point TOKBUDGET_CORPORA at the folder"
        )
    root = Path(tempfile.gettempdir()) / f"tokbudget-scale-{size_mb}mb"
    done = root / ".complete"
    if done.exists():
        return root
    root.mkdir(exist_ok=True)
    target = size_mb << 20
    written = 0
    n = 0
    while written < target:
        for path in texts:
            data = path.read_bytes()
            pos = 0
            while pos < len(data) and written < target:
                end = pos + FILE_SIZES[n % len(FILE_SIZES)]
                cut = data.find(b"\n", end)
                end = len(data) if cut < 0 else cut + 1
                (root / f"{n:05d}-{path.stem}.txt").write_bytes(data[pos:end])
                written += end - pos
                n += 1
                pos = end
    done.write_text(f"{n} files, {written} bytes\n")
    return root


def files_of(root: Path) -> list[Path]:
    return sorted(root.glob("*.txt"))


COMMANDS = {"count": ["count", "--json"], "split": ["split", "--max-tokens", "512"]}
"""The CLI runs measured; each run's output is hashed to check it does not depend on --jobs."""


def run_cli(files: list[Path], jobs: int, command: str) -> tuple[float, float, float, str]:
    argv = [sys.executable, "-c", _WRAPPER, *COMMANDS[command], "--jobs", str(jobs)]
    with tempfile.TemporaryFile() as out:
        run = subprocess.run(
            [*argv, *map(str, files)], stdout=out, stderr=subprocess.PIPE, text=True, check=True
        )
        out.seek(0)
        digest = hashlib.sha256()
        while block := out.read(1 << 20):
            digest.update(block)
    line = next(x for x in run.stderr.splitlines() if x.startswith("BENCH "))
    _, wall, own, kids = line.split()
    return float(wall), float(own), float(kids), digest.hexdigest()


def _idle_speedup(serial: float, coordinator: float, workers: float, cores: int) -> float:
    """The speed-up the measured CPU seconds allow on ``cores`` otherwise idle cores.

    Wall time is at least the coordinator's CPU, one worker's share, and all the CPU
    spread over all the cores; CPU seconds, unlike wall time, barely depend on other
    users of a shared machine.
    """
    return serial / max(coordinator, workers / cores, (coordinator + workers) / cores)


def bench_cli(
    files: list[Path], nbytes: int, jobs: int, repeat: int, command: str = "count"
) -> dict[str, Any]:
    wall: dict[int, list[float]] = {1: [], jobs: []}
    cpu: dict[int, list[tuple[float, float]]] = {1: [], jobs: []}
    totals = set()
    for _ in range(repeat):
        for j in (1, jobs):  # interleaved: both see the same background load
            seconds, own, kids, total = run_cli(files, j, command)
            wall[j].append(seconds)
            cpu[j].append((own, kids))
            totals.add(total)
    assert len(totals) == 1, f"--jobs changed the output of {command}: {totals}"
    best = {j: min(t) for j, t in wall.items()}
    serial_cpu = min(own + kids for own, kids in cpu[1])
    coordinator = min(own for own, _ in cpu[jobs])
    workers = min(kids for _, kids in cpu[jobs])
    return {
        "jobs": jobs,
        "seconds": {str(j): t for j, t in wall.items()},
        "mb_per_s_jobs_1": nbytes / best[1] / 1e6,
        f"mb_per_s_jobs_{jobs}": nbytes / best[jobs] / 1e6,
        "speedup": best[1] / best[jobs],
        "cpu_s_jobs_1": serial_cpu,
        "per_worker_mb_per_cpu_s": nbytes / workers / 1e6,
        "worker_cpu_s": workers,
        "coordinator_cpu_s": coordinator,
        "speedup_on_idle_cores": _idle_speedup(serial_cpu, coordinator, workers, jobs),
        "output_sha256": totals.pop(),
    }


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def _cpu() -> float:
    return time.process_time()


def bench_dask(files: list[Path], nbytes: int, jobs: int, repeat: int) -> dict[str, Any]:
    import dask.bag as db
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)  # the in-process scheduler's
    paths = [str(p) for p in files]

    def single() -> int:
        texts = [_read(p) for p in paths]
        return int(tokbudget.count_many(texts, model="gpt-4o", threads=1).sum())

    def on(client: Client, workers: int) -> int:
        bag = db.from_sequence(paths, npartitions=workers * 8).map(_read)
        # scheduler=client: each run on its own cluster, not on the latest-made client's.
        return int(tokbudget.dask.count(bag, model="gpt-4o").sum().compute(scheduler=client))

    def timed(run: Any, client: Client | None) -> tuple[float, float, float, int]:
        """Wall seconds, this process's CPU (client + scheduler), the workers' CPU."""
        w0 = sum(client.run(_cpu).values()) if client else 0.0
        c0, t0 = _cpu(), time.perf_counter()
        total = run()
        wall, own = time.perf_counter() - t0, _cpu() - c0
        w1 = sum(client.run(_cpu).values()) if client else 0.0
        return wall, own, w1 - w0, total

    result: dict[str, Any] = {"workers": jobs, "tasks": {"1": 8, str(jobs): jobs * 8}}
    tokbudget.count("warm up", model="gpt-4o")
    clusters: dict[int, tuple[LocalCluster, Client]] = {}
    for workers in (1, jobs):
        t = time.perf_counter()
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            worker_dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        client.run(lambda: tokbudget.count("warm up", model="gpt-4o"))
        result[f"startup_s_{workers}"] = time.perf_counter() - t
        clusters[workers] = (cluster, client)
    runs: dict[str, list[tuple[float, float, float]]] = {"single": [], "1": [], str(jobs): []}
    totals = set()
    try:
        for _ in range(repeat):
            wall, own, _, total = timed(single, None)
            runs["single"].append((wall, own, 0.0))
            totals.add(total)
            for workers, (_, client) in clusters.items():
                wall, own, work, total = timed(lambda c=client, w=workers: on(c, w), client)
                runs[str(workers)].append((wall, own, work))
                totals.add(total)
        # Scheduler cost per task, measured with tasks that do nothing.
        t = time.perf_counter()
        empty = db.from_sequence(range(1000), npartitions=1000).map_partitions(len)
        empty.compute(scheduler=clusters[jobs][1])
        per_task = (time.perf_counter() - t) / 1000
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
    assert len(totals) == 1, f"Dask changed the count: {totals}"
    best = {k: min(r[0] for r in v) for k, v in runs.items()}
    serial_cpu = min(r[1] for r in runs["single"])
    coordinator = min(r[1] for r in runs[str(jobs)])
    workers_cpu = min(r[2] for r in runs[str(jobs)])
    result.update(
        seconds={k: [round(r[0], 2) for r in v] for k, v in runs.items()},
        single_mb_per_s=nbytes / best["single"] / 1e6,
        cluster_1_mb_per_s=nbytes / best["1"] / 1e6,
        **{f"cluster_{jobs}_mb_per_s": nbytes / best[str(jobs)] / 1e6},
        speedup=best["single"] / best[str(jobs)],
        single_cpu_s=serial_cpu,
        per_worker_mb_per_cpu_s=nbytes / workers_cpu / 1e6,
        worker_cpu_s=workers_cpu,
        coordinator_cpu_s=coordinator,
        speedup_on_idle_cores=_idle_speedup(serial_cpu, coordinator, workers_cpu, jobs),
        scheduler_ms_per_task=per_task * 1e3,
        tokens=totals.pop(),
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--only", choices=["cli", "dask", "split"], help="default: cli (count) and dask"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    root = build_folder(args.size_mb)
    files = files_of(root)
    nbytes = sum(p.stat().st_size for p in files)
    report: dict[str, Any] = {
        "files": len(files),
        "bytes": nbytes,
        "folder": str(root),
        "cpus": len(os.sched_getaffinity(0)),
        "load_before": os.getloadavg(),
    }
    print(f"{len(files)} files, {nbytes / 1e6:.1f} MB in {root}", flush=True)
    for command, wanted in (("count", args.only in (None, "cli")), ("split", args.only == "split")):
        if not wanted:
            continue
        report[command] = cli = bench_cli(files, nbytes, args.jobs, args.repeat, command)
        print(
            f"{command:5} --jobs 1: {cli['mb_per_s_jobs_1']:.1f} MB/s   --jobs {args.jobs}: "
            f"{cli[f'mb_per_s_jobs_{args.jobs}']:.1f} MB/s   speed-up {cli['speedup']:.2f}x\n"
            f"      CPU s: serial {cli['cpu_s_jobs_1']:.1f}, workers {cli['worker_cpu_s']:.1f}, "
            f"coordinator {cli['coordinator_cpu_s']:.1f}; per worker "
            f"{cli['per_worker_mb_per_cpu_s']:.1f} MB per CPU-s; speed-up on idle cores "
            f"{cli['speedup_on_idle_cores']:.2f}x",
            flush=True,
        )
    if args.only in (None, "dask"):
        report["dask"] = d = bench_dask(files, nbytes, args.jobs, args.repeat)
        print(
            f"Dask  1 process: {d['single_mb_per_s']:.1f} MB/s   1 worker: "
            f"{d['cluster_1_mb_per_s']:.1f} MB/s   {args.jobs} workers: "
            f"{d[f'cluster_{args.jobs}_mb_per_s']:.1f} MB/s   speed-up {d['speedup']:.2f}x\n"
            f"      CPU s: single {d['single_cpu_s']:.1f}, workers {d['worker_cpu_s']:.1f}, "
            f"client+scheduler {d['coordinator_cpu_s']:.1f}; per worker "
            f"{d['per_worker_mb_per_cpu_s']:.1f} MB per CPU-s; speed-up on idle cores "
            f"{d['speedup_on_idle_cores']:.2f}x; {d['scheduler_ms_per_task']:.2f} ms per "
            f"empty task; cluster start {d[f'startup_s_{args.jobs}']:.1f} s",
            flush=True,
        )
    report["load_after"] = os.getloadavg()
    print(f"load average before {report['load_before']}, after {report['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
