"""minigrad at two revisions, side by side: the minigrad contender of chosen workloads.

Usage (from the repository root)::

    python benchmarks/compare.py REV_A [REV_B] [--only W1,W3,W6] [--repeats N]
                                 [--samples K] [--markdown PATH] [--json PATH]

    python benchmarks/compare.py HEAD                 # HEAD against the working tree
    python benchmarks/compare.py main HEAD --only W1  # two commits

A revision is anything ``git rev-parse`` takes in this repository, or ``WORKTREE``:
the working tree's ``minigrad/`` as it is now, uncommitted changes included (REV_B's
default). Each revision's ``minigrad/`` is copied into a temporary directory (``git
archive``, or a copy of the working tree's), removed at the end. The workload code is
this working tree's ``benchmarks/`` for both revisions: the same checks, the same
callables (``workloads.WORKLOADS[key].setup``), the same timing (``harness``).

The timing runs in rounds. A round starts one fresh worker process per revision; each
imports its revision's package (and reports from where), checks minigrad's gradients
against the numpy baseline and warms every row up, then waits. The two then take
turns, one sample at a time (A B B A A B ..., every other round starting with B),
``--samples`` samples of each row each, so that the machine's drifting speed
falls on both alike; a sample is at least 50 ms of back-to-back calls, and the number
of calls per sample is calibrated once, in the first round, and then fixed for both
revisions. Tiny workloads run on one thread (OPENBLAS/OMP/MKL_NUM_THREADS=1 in the
workers' environment), W4 and W5 on every core. The report gives, per row, the median
of all samples of each revision, the ratio B/A of the medians, and the spread of the
per-round ratios (each round's B median over its A median): quartiles, min-max, and
in how many rounds B was faster. Nothing is asserted about times.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from benchmarks import harness  # noqa: E402  (numpy only: minigrad is not imported here)

THIS = os.path.abspath(__file__)
WORKTREE = "WORKTREE"
DEFAULT_ONLY = "W1,W3,W6"
DEFAULT_REPEATS = 10
DEFAULT_SAMPLES = 6


# --------------------------------------------------------------------------- worker


def worker(pkg_parent: str, keys: list[str], threads: int) -> None:
    """Serve samples of the minigrad contender of ``keys``, imported from ``pkg_parent``.

    One JSON message a line: the worker announces its rows, then answers
    ``{"calibrate": i}`` with the calls per sample of row ``i``, ``{"sample": i,
    "number": n}`` with one sample (seconds per call, divided by the row's ``per``),
    and ``{"exit": true}`` with the list of minigrad modules imported from elsewhere
    (empty when all is well) before it exits."""
    # the protocol keeps the original stdout; anything else printed goes to stderr
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(msg: dict) -> None:
        proto.write(json.dumps(msg) + "\n")

    sys.path.insert(0, pkg_parent)  # ahead of the repository root and any installed copy
    import minigrad
    from benchmarks import frameworks as fw
    from benchmarks.workloads import WORKLOADS

    where = os.path.join(os.path.realpath(pkg_parent), "minigrad") + os.sep
    if not os.path.realpath(minigrad.__file__).startswith(where):
        raise SystemExit(f"imported minigrad from {minigrad.__file__}, not from {where}")

    settings = harness.Settings(quick=False)
    notes: list[str] = []
    rows = []
    with harness.ThreadLimit(threads):
        for key in keys:
            for timed in WORKLOADS[key].setup(notes, only=(fw.NUMPY, fw.MINIGRAD)):
                rows.append((key, timed))
        for _, timed in rows:
            harness.warm_up(timed.fns[fw.MINIGRAD], settings)
        send({"minigrad_file": minigrad.__file__, "notes": notes,
              "blas": harness.blas_info(), "pid": os.getpid(),
              "rows": [{"key": k, "label": t.label, "unit_note": t.unit_note}
                       for k, t in rows]})
        for line in sys.stdin:
            msg = json.loads(line)
            if "exit" in msg:
                break
            _, timed = rows[msg.get("calibrate", msg.get("sample"))]
            fn = timed.fns[fw.MINIGRAD]
            if "calibrate" in msg:
                send({"number": harness.calibrate(fn, settings)})
            else:
                send({"t": harness.sample(fn, msg["number"], timed.per)})
    # every minigrad module, not only the package's __init__, must come from pkg_parent
    strays = sorted(
        f"{name}: {mod.__file__}" for name, mod in list(sys.modules.items())
        if (name == "minigrad" or name.startswith("minigrad."))
        and getattr(mod, "__file__", None)
        and not os.path.realpath(mod.__file__).startswith(where)
    )
    send({"strays": strays})


class Worker:
    """The parent's end of one worker process."""

    def __init__(self, side: str, rev: dict, keys: list[str], threads: int):
        self.side = side
        self.what = f"{side} ({rev['rev']}) worker for {','.join(keys)}"
        self.proc = subprocess.Popen(
            [sys.executable, THIS, "--worker", rev["path"], "--keys", ",".join(keys),
             "--threads", str(threads)],
            env=harness.thread_env(threads), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, bufsize=1,
        )
        self.hello = self._receive()

    def _receive(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            raise SystemExit(f"\nABORTED: {self.what} failed (exit {code}); its error "
                             "is printed above")
        return json.loads(line)

    def ask(self, **msg) -> dict:
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        return self._receive()

    def close(self) -> None:
        strays = self.ask(exit=True)["strays"]
        self.proc.stdin.close()
        self.proc.wait()
        if strays:
            raise SystemExit(f"ABORTED: {self.what} imported minigrad modules from "
                             f"elsewhere: {'; '.join(strays)}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- revisions


def _git(*args: str, binary: bool = False):
    proc = subprocess.run(["git", "-C", ROOT, *args], capture_output=True,
                          text=not binary, check=False)
    if proc.returncode != 0:
        err = proc.stderr if not binary else proc.stderr.decode(errors="replace")
        raise SystemExit(f"git {' '.join(args)} failed: {err.strip()}")
    return proc.stdout


def _fingerprint(pkg: str) -> str:
    """A hash of every file under ``pkg`` (bytecode caches left out)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(pkg):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, pkg).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
            h.update(b"\0")
    return h.hexdigest()


def materialize(rev: str, dest: str) -> dict:
    """Put ``rev``'s ``minigrad/`` at ``dest/minigrad``; describe what was put there."""
    os.makedirs(dest)
    if rev == WORKTREE:
        head = harness.git_commit(ROOT) or "?"
        shutil.copytree(os.path.join(ROOT, "minigrad"), os.path.join(dest, "minigrad"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo"))
        desc = f"working tree (HEAD {head})"
    else:
        proc = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", "--quiet",
                               f"{rev}^{{commit}}"], capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"{rev!r} is not a revision of {ROOT} (nor {WORKTREE})")
        commit = proc.stdout.strip()
        if not _git("ls-tree", commit, "minigrad").strip():
            raise SystemExit(f"{rev} ({commit[:9]}) has no minigrad/ directory")
        data = _git("archive", "--format=tar", commit, "minigrad", binary=True)
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # Python without extraction filters; git's own archive of our tree
                tar.extractall(dest)
        subject = _git("log", "-1", "--format=%s", commit).strip()
        desc = f"{commit[:9]} {subject}"
    return {"rev": rev, "desc": desc, "path": dest,
            "fingerprint": _fingerprint(os.path.join(dest, "minigrad"))}


# --------------------------------------------------------------------------- orchestration


def run_round(rnd: int, revs: dict, groups: dict, samples: int, numbers: dict,
              rows: dict, record: dict) -> None:
    """One round: a fresh worker per revision and thread group, samples taken in turns."""
    first, second = ("A", "B") if rnd % 2 == 0 else ("B", "A")
    for threads, keys in groups.items():
        workers = {}
        try:
            for side in (first, second):  # started one after the other: setup is not timed
                workers[side] = Worker(side, revs[side], keys, threads)
            for side, w in workers.items():
                record["minigrad_files"][side].append(w.hello["minigrad_file"])
                record["notes"] += [n for n in w.hello["notes"] if n not in record["notes"]]
                record["blas"].setdefault(threads, w.hello["blas"])
            labels = [r["label"] for r in workers["A"].hello["rows"]]
            if labels != [r["label"] for r in workers["B"].hello["rows"]]:
                raise SystemExit("ABORTED: the two revisions' workers built different rows")
            for i, info in enumerate(workers["A"].hello["rows"]):
                label = info["label"]
                if label not in numbers:
                    numbers[label] = workers[first].ask(calibrate=i)["number"]
                r = rows.setdefault(label, {"key": info["key"], "unit_note": info["unit_note"],
                                            "number": numbers[label], "A": [], "B": []})
                got: dict[str, list[float]] = {"A": [], "B": []}
                for k in range(samples):
                    order = (first, second) if k % 2 == 0 else (second, first)
                    for side in order:
                        got[side].append(workers[side].ask(sample=i,
                                                           number=numbers[label])["t"])
                r["A"].append(got["A"])
                r["B"].append(got["B"])
            for w in workers.values():
                w.close()
        finally:
            for w in workers.values():
                w.kill()


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _fmt(seconds: float, unit: str) -> str:
    v = seconds * {"µs": 1e6, "ms": 1e3, "s": 1.0}[unit]
    return f"{v:.4g}"


def _unit(seconds: float) -> str:
    return "µs" if seconds < 1e-3 else "ms" if seconds < 1.0 else "s"


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


def summarize(rows: dict) -> list[dict]:
    """Medians, ratio and per-round ratio spread for every row."""
    out = []
    for label, r in rows.items():
        a = [s for rnd in r["A"] for s in rnd]
        b = [s for rnd in r["B"] for s in rnd]
        ratios = [statistics.median(rb) / statistics.median(ra)
                  for ra, rb in zip(r["A"], r["B"])]
        q1, q3 = _quartiles(ratios)
        out.append({
            "label": label, "unit_note": r["unit_note"], "number": r["number"],
            "median_a": statistics.median(a), "median_b": statistics.median(b),
            "ratio": statistics.median(b) / statistics.median(a),
            "round_ratios": ratios, "round_ratio_median": statistics.median(ratios),
            "ratio_q1": q1, "ratio_q3": q3,
            "ratio_min": min(ratios), "ratio_max": max(ratios),
            "b_faster": sum(x < 1.0 for x in ratios),
        })
    return out


def markdown(data: dict) -> str:
    a, b = data["A"], data["B"]
    m = data["machine"]
    out = [f"## minigrad {a['rev']} (A) against {b['rev']} (B)\n"]
    out.append(f"- A = `{a['rev']}`: {a['desc']}")
    out.append(f"- B = `{b['rev']}`: {b['desc']}")
    out.append(f"- CPU: {m['cpu_model']}, {m['usable_cores']} usable cores; Python "
               f"{m['python']}; numpy {m['numpy']}")
    out.append(f"- {data['repeats']} rounds, each with a fresh worker process per revision; "
               f"the two take turns sample by sample (A B B A ..., every other round B A A B ...), "
               f"{data['samples']} samples of each row per revision and round, each sample "
               f">= 50 ms of back-to-back calls (the same number of calls for both "
               f"revisions); threads: {data['threads']}.")
    load = data["other_load_cores"]
    if load is not None:
        flag = " (**disturbed: rerun on an idle machine**)" if load > data["other_load_limit"] \
            else ""
        out.append(f"- CPU used by other processes meanwhile: {load:.2f} cores on average, "
                   f"{data['other_load_max_round']:.2f} in the busiest round{flag}")
    out.append("- A, B: median over all samples of the revision; B/A: ratio of these "
               "medians; per round: each round's B median over its A median, their median "
               "and quartiles, min–max, and the rounds in which B was faster.\n")
    out.append(f"| Workload | A `{a['rev']}` | B `{b['rev']}` | B/A | per round: median "
               f"(IQR) | min–max | B faster |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for r in data["rows"]:
        unit = _unit(r["median_a"])
        per = f" {r['unit_note']}" if r["unit_note"] else ""
        out.append(
            f"| {r['label']} | {_fmt(r['median_a'], unit)} {unit}{per} "
            f"| {_fmt(r['median_b'], unit)} {unit}{per} | {r['ratio']:.3f} "
            f"| {r['round_ratio_median']:.3f} ({r['ratio_q1']:.3f}–{r['ratio_q3']:.3f}) "
            f"| {r['ratio_min']:.3f}–{r['ratio_max']:.3f} "
            f"| {r['b_faster']}/{len(r['round_ratios'])} |"
        )
    out.append("\nNotes:\n")
    for side in ("A", "B"):
        files = sorted(set(data["minigrad_files"][side]))
        out.append(f"- {side} imported `minigrad` from {', '.join(f'`{f}`' for f in files)} "
                   f"(a temporary copy of `{data[side]['rev']}`, removed afterwards).")
    if a["fingerprint"] == b["fingerprint"]:
        out.append("- `minigrad/` is identical at both revisions: every difference above "
                   "is noise.")
    out.append("- Both revisions ran this working tree's `benchmarks/` code; every worker "
               "first checked minigrad's gradients against the numpy baseline.")
    for n in data["notes"]:
        out.append(f"- {n}")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rev_a", metavar="REV_A", nargs="?",
                    help=f"a git revision, or {WORKTREE} for the working tree")
    ap.add_argument("rev_b", metavar="REV_B", nargs="?", default=WORKTREE,
                    help=f"a git revision, or {WORKTREE} (default)")
    ap.add_argument("--only", metavar="W1,W3,...", default=DEFAULT_ONLY,
                    help=f"workloads to time (default {DEFAULT_ONLY})")
    ap.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, metavar="N",
                    help=f"rounds, each with a fresh worker per revision "
                         f"(default {DEFAULT_REPEATS})")
    ap.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, metavar="K",
                    help=f"samples of each row per revision and round "
                         f"(default {DEFAULT_SAMPLES})")
    ap.add_argument("--markdown", metavar="PATH", help="also write the report to a file")
    ap.add_argument("--json", metavar="PATH", help="write every sample and the summaries")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--keys", help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        worker(args.worker, args.keys.split(","), args.threads)
        return 0
    if args.rev_a is None:
        ap.error("REV_A is required")
    if args.repeats < 1 or args.samples < 1:
        ap.error("--repeats and --samples must be at least 1")

    from benchmarks.workloads import WORKLOADS

    keys = [k.strip().upper() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in keys if k not in WORKLOADS]
    if unknown or not keys:
        ap.error(f"unknown workloads {unknown}; choose from {list(WORKLOADS)}")
    keys = [k for k in WORKLOADS if k in keys]  # canonical order
    groups: dict[int, list[str]] = {}  # thread count -> workloads, one worker each
    for k in keys:
        groups.setdefault(1 if WORKLOADS[k].threads == "1" else _cores(), []).append(k)

    t_start = time.perf_counter()
    cores = _cores()
    tmp = tempfile.mkdtemp(prefix="minigrad-compare-")
    try:
        revs = {"A": materialize(args.rev_a, os.path.join(tmp, "A")),
                "B": materialize(args.rev_b, os.path.join(tmp, "B"))}
        rows: dict[str, dict] = {}
        numbers: dict[str, int] = {}
        record: dict = {"minigrad_files": {"A": [], "B": []}, "notes": [], "blas": {}}
        loads = []
        for rnd in range(args.repeats):
            print(f"[{time.perf_counter() - t_start:6.1f}s] round {rnd + 1}/{args.repeats}"
                  f" ({'A' if rnd % 2 == 0 else 'B'} first)", file=sys.stderr, flush=True)
            with harness.OtherLoad() as load:
                run_round(rnd, revs, groups, args.samples, numbers, rows, record)
            loads.append((load.cores, load.wall_s))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    known = [(c, w) for c, w in loads if c is not None]
    data = {
        "A": revs["A"], "B": revs["B"],
        "machine": {"cpu_model": harness.cpu_model(), "usable_cores": cores,
                    "python": platform.python_version(),
                    "numpy": __import__("numpy").__version__},
        "repeats": args.repeats, "samples": args.samples,
        "threads": "; ".join(f"{','.join(g)}: {t}" for t, g in groups.items()),
        "other_load_cores": (sum(c * w for c, w in known) / sum(w for _, w in known)
                             if known else None),
        "other_load_max_round": max((c for c, _ in known), default=None),
        "other_load_limit": min(harness.other_load_limit(t, cores) for t in groups),
        **record,
        "rows": summarize(rows), "raw": rows,
    }
    text = markdown(data)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
    print(f"done in {time.perf_counter() - t_start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
