"""The Markdown report and the project's performance targets, from the raw figures."""

from __future__ import annotations

from . import frameworks as fw

EAGER = (fw.MINIGRAD, fw.MINIGRAD_NN)
COMPILED = (fw.MINIGRAD_COMPILED, fw.MINIGRAD_NN_COMPILED)
MINIGRADS = EAGER + COMPILED


def _fmt_time(s: float, unit: str) -> str:
    scale = {"µs": 1e6, "ms": 1e3, "s": 1.0}[unit]
    v = s * scale
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def _unit(s: float) -> str:
    if s < 1e-3:
        return "µs"
    if s < 1.0:
        return "ms"
    return "s"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}×"


def _median(results: dict, name: str) -> float | None:
    r = results.get(name)
    return None if r is None else r["median"]


def _rows(data: dict):
    for key, w in data["workloads"].items():
        for row in w["rows"]:
            yield key, row


def _blas_line(info) -> str:
    if isinstance(info, str):
        return info
    parts = []
    for d in sorted(info, key=lambda d: (d.get("user_api") != "blas", d.get("prefix") or "")):
        bits = [d.get("internal_api") or d.get("prefix") or "?"]
        if d.get("version"):
            bits.append(str(d["version"]))
        if d.get("architecture"):
            bits.append(f"kernel {d['architecture']}")
        if d.get("threading_layer"):
            bits.append(f"{d['threading_layer']}")
        bits.append(f"{d.get('num_threads')} thread(s)")
        lib = (d.get("filepath") or "").rsplit("/", 1)[-1]
        parts.append(f"{' '.join(bits)} ({lib})")
    return "; ".join(parts) or "no BLAS / OpenMP library reported"


def markdown(data: dict) -> str:
    m = data["machine"]
    v = m["versions"]
    out = []
    out.append(f"## minigrad benchmarks ({data['settings']['mode']} mode)\n")
    out.append(f"- CPU: {m['cpu_model']}, {m['logical_cores']} logical cores "
               f"({m['usable_cores']} usable); {m['platform']}")
    out.append(f"- Python {m['python']}; numpy {v.get('numpy')}; torch {v.get('torch')}; "
               f"autograd {v.get('autograd')}; jax {v.get('jax')}; "
               f"threadpoolctl {v.get('threadpoolctl')}; minigrad at {m['minigrad_commit']}")
    env = ", ".join(f"{k}={val}" for k, val in m["env"].items() if val) or "none set"
    out.append(f"- Caller's BLAS/threading environment: {env}")
    seen = set()
    for w in data["workloads"].values():
        line = _blas_line(w["info"]["blas"])
        tag = (w["info"]["threads"], line)
        if tag in seen:
            continue
        seen.add(tag)
        torch_t = w["info"].get("torch_num_threads")
        torch_blas = _torch_blas(w["info"].get("torch_blas", ""))
        keys = [k for k, x in data["workloads"].items()
                if (x["info"]["threads"], _blas_line(x["info"]["blas"])) == tag]
        out.append(f"- {', '.join(keys)}: {w['info']['threads']} thread(s); BLAS: {line}"
                   + (f"; torch threads {torch_t}" if torch_t is not None else "")
                   + (f", torch BLAS {torch_blas}" if torch_blas else ""))
    loads = [(k, w.get("other_load_cores"), w.get("other_load_limit", 0.1))
             for k, w in data["workloads"].items()]
    if any(c is not None for _, c, _ in loads):
        busy = [f"{k} {c:.2f}" + (" (**disturbed**)" if c > lim else "")
                for k, c, lim in loads if c is not None]
        out.append("- CPU used by other processes during each workload (average cores; "
                   "disturbed above 0.1 for the all-core workloads, above 0.5 for the "
                   "one-thread ones): " + ", ".join(busy))
    s = data["settings"]
    out.append(f"- Medians of {s['repeats']} interleaved samples per contender (each sample "
               f">= {s['min_sample_s'] * 1e3:g} ms of back-to-back calls, after "
               f"{s['warmup']} warm-up calls); IQR = quartiles of the samples.\n")

    out.append("| Workload | Contender | Median | IQR | × numpy | × PyTorch |")
    out.append("|---|---|---:|---:|---:|---:|")
    for _key, row in _rows(data):
        res = row["results"]
        base = _median(res, fw.NUMPY)
        unit = _unit(base if base is not None else next(iter(res.values()))["median"])
        torch_m = _median(res, fw.TORCH)
        per = f" {row['per']}" if row.get("per") else ""
        for name in fw.ORDER:
            if name not in res:
                continue
            r = res[name]
            bold = "**" if name in MINIGRADS else ""
            out.append(
                f"| {row['label']} | {bold}{name}{bold} | "
                f"{_fmt_time(r['median'], unit)} {unit}{per} | "
                f"{_fmt_time(r['q1'], unit)}–{_fmt_time(r['q3'], unit)} | "
                f"{_ratio(r['median'], base)} | "
                f"{_ratio(r['median'], torch_m) if name != fw.TORCH else '1.00×'} |"
            )
    w6 = data["workloads"].get("W6", {})
    c = w6.get("extra", {}).get("chain_100k")
    if c:
        if c["ran"]:
            ratio = c["minigrad"]["median"] / c["numpy"]["median"]
            out.append(
                f"\n100,000-op chain (W6 construction, {c['ops']:,} ops + backward): minigrad "
                f"ran it in {c['minigrad']['median']:.3g} s (numpy hand-derived: "
                f"{c['numpy']['median']:.3g} s; {ratio:.2f}×)."
            )
        else:
            out.append(f"\n100,000-op chain: minigrad FAILED: {c['error']}")

    if data.get("memory"):
        out.append("\n### W5 peak memory of one step\n")
        out.append("One fresh process per contender. **Peak** = resident-set high-water mark "
                   "during a step (VmHWM, reset through /proc/self/clear_refs) minus the "
                   "resident memory after the imports: parameters, the contender's copy of "
                   "the batch, state kept between steps and the step's temporaries. "
                   "**Transient** = the same mark minus the resident memory just before the "
                   "step. glibc runs with `MALLOC_MMAP_THRESHOLD_=65536`, so freed arrays "
                   "go back to the kernel. tracemalloc (numpy's allocations and Python "
                   "objects, traced from the same baseline in a separate process) "
                   "cross-checks the numpy-based contenders.\n")
        out.append("| Contender | Peak | × numpy | Transient | × numpy | tracemalloc peak "
                   "| × numpy |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        mem = data["memory"]
        ref = mem.get(fw.NUMPY, {})
        ref_tm = ref.get("tracemalloc", {})
        for name in fw.ORDER:
            r = mem.get(name)
            if r is None or "skipped" in r:
                continue
            tm = r.get("tracemalloc", {})
            out.append(
                f"| {name} | {_mib(r.get('peak_bytes'))} | "
                f"{_ratio(r.get('peak_bytes'), ref.get('peak_bytes'))} | "
                f"{_mib(r.get('transient_bytes'))} | "
                f"{_ratio(r.get('transient_bytes'), ref.get('transient_bytes'))} | "
                f"{_mib(tm.get('peak_bytes'))} | "
                f"{_ratio(tm.get('peak_bytes'), ref_tm.get('peak_bytes'))} |"
            )

    if data.get("targets"):
        out.append("\n### Project targets (one run; informative, not asserted)\n")
        out.append("| Target | Contender | Measured | Limit | Met |")
        out.append("|---|---|---:|---:|:---:|")
        for t in data["targets"]:
            meas = "–" if t["value"] is None else (
                f"{t['value']:.2f}×" if t["limit"] is not None else str(t["value"]))
            lim = "–" if t["limit"] is None else f"≤ {t['limit']}×"
            met = "yes" if t["met"] else "**no**"
            out.append(f"| {t['what']} | {t['contender']} | {meas} | {lim} | {met} |")

    notes = []
    for w in data["workloads"].values():
        notes.extend(w.get("notes", []))
    if notes:
        out.append("\n### Notes\n")
        for n in dict.fromkeys(notes):
            out.append(f"- {n}")
    return "\n".join(out) + "\n"


def _torch_blas(config: str) -> str:
    """The BLAS line of ``torch.__config__.show()``, shortened."""
    for line in config.splitlines():
        if "Math Kernel Library" in line:
            return "MKL " + line.split("Version", 1)[-1].split("-")[0].strip()
    for part in config.replace(",", " ").split():
        if part.startswith("BLAS_INFO="):
            return part.split("=", 1)[1]
    return ""


def _mib(b) -> str:
    return "–" if b is None else f"{b / 2**20:.1f} MiB"


def targets(data: dict) -> list[dict]:
    """The project's targets, evaluated on this run's medians."""
    out = []
    W = data["workloads"]

    def res(key, i=0):
        if key not in W or i >= len(W[key]["rows"]):
            return None
        return W[key]["rows"][i]["results"]

    def add(what, contender, num, den, limit):
        value = None if num is None or den is None else num / den
        out.append({"what": what, "contender": contender, "value": value, "limit": limit,
                    "met": value is not None and value <= limit})

    specs = [
        ("W1", 0, fw.TORCH, 0.35, "W1 vs PyTorch eager"),
        ("W1", 0, fw.NUMPY, 4.0, "W1 vs numpy"),
        ("W2", 0, fw.NUMPY, 4.0, "W2 vs numpy"),
        ("W3", 0, fw.TORCH, 0.75, "W3 add vs PyTorch eager"),
        ("W3", 1, fw.TORCH, 0.75, "W3 mul vs PyTorch eager"),
        ("W3", 2, fw.TORCH, 0.75, "W3 sigmoid vs PyTorch eager"),
        ("W4", 0, fw.NUMPY, 1.1, "W4 vs numpy"),
        ("W5", 0, fw.NUMPY, 1.05, "W5 vs numpy"),
        ("W6", 0, fw.NUMPY, 2.0, "W6 vs numpy"),
    ]
    # minigrad.compile replays numpy calls without Tensors or graph: measured against
    # the hand-written numpy
    compiled_specs = [
        ("W1", 0, fw.NUMPY, 1.0, "W1 vs numpy"),
        ("W2", 0, fw.NUMPY, 1.0, "W2 vs numpy"),
        ("W3", 0, fw.NUMPY, 1.2, "W3 add vs numpy, per op"),
        ("W3", 1, fw.NUMPY, 1.2, "W3 mul vs numpy, per op"),
        ("W3", 2, fw.NUMPY, 1.2, "W3 sigmoid vs numpy, per op"),
        ("W4", 0, fw.NUMPY, 1.0, "W4 vs numpy"),
        ("W5", 0, fw.NUMPY, 1.0, "W5 vs numpy"),
        ("W6", 0, fw.NUMPY, 1.2, "W6 vs numpy"),
    ]
    for contenders, table in ((EAGER, specs), (COMPILED, compiled_specs)):
        for key, i, other, limit, what in table:
            r = res(key, i)
            if r is None:
                continue
            for mg in contenders:
                if mg in r:
                    add(what, mg, _median(r, mg), _median(r, other), limit)
    mem = data.get("memory") or {}
    base = mem.get(fw.NUMPY, {}).get("peak_bytes")
    for mg in MINIGRADS:
        if mg in mem and "peak_bytes" in mem[mg]:
            add("W5 peak memory vs numpy", mg, mem[mg]["peak_bytes"], base,
                1.0 if mg in COMPILED else 1.3)
    c = W.get("W6", {}).get("extra", {}).get("chain_100k")
    if c:
        out.append({"what": "100,000-op chain runs", "contender": fw.MINIGRAD,
                    "value": "ran" if c["ran"] else "failed", "limit": None, "met": c["ran"]})
    return out
