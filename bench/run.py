"""The archive-scale benchmark: textbook Whoosh, Rassegna and tantivy on one corpus, one by one.

One command; prints the tables and writes them (with the machine, versions and the command) into
``bench/RESULTS.md``, one section per corpus size::

    python -m bench.run -n 20000                   # synthetic corpus, generated (seeded)
    python -m bench.run --corpus ../shared/corpora/dice/articles.jsonl
    python -m bench.run -n 20000 --ref 00dba28     # also Rassegna as of that commit ("before")
    python -m bench.run -n 20000 --workdir W --keep ...            # then, to measure queries
    python -m bench.run -n 20000 --workdir W --reuse --no-update   # again on the same indexes

Every step of every system runs in its own process (peak RSS is that system's own), strictly one
after another: build, then queries (open + first query, 200 queries of each type, memory after
them, Rassegna's pathological queries), then ``rassegna serve`` under a bounded load generator at
concurrency 1, 4 and 16 (Rassegna only), then updates of 1 and 1,000 articles. Ratios compare each
system with textbook Whoosh measured in the same run. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from importlib import metadata
from pathlib import Path

from bench import generate

REPO = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "worker.py"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
QUERY_TYPES = ("keywords", "headline", "phrase", "filtered", "date")
LEVELS = (1, 4, 16)
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)


# ----------------------------------------------------------------------------- queries


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def make_queries(corpus: Path, per_type: int, seed: int) -> dict:
    """Queries drawn from the corpus's own articles (seeded), plus the pathological list."""
    rng = random.Random(seed)
    records = []
    with corpus.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                rec = json.loads(line)
                records.append(
                    (rec.get("title") or "", (rec.get("body") or "")[:3000], rec.get("source"))
                )
    sample = rng.sample(records, min(len(records), per_type * 3))
    with_title = [r for r in sample if len(r[0].split()) >= 4] or sample

    def keywords(text: str, n: int = 3) -> str:
        words = [w for w in _WORD.findall(text) if len(w) > 4]
        longest = sorted(dict.fromkeys(words), key=len, reverse=True)[:n]
        return " ".join(longest) or text.split()[0]

    def phrase(body: str) -> str:
        words = body.split()
        i = rng.randrange(max(1, len(words) - 3))
        chunk = [re.sub(r"[^\w']", "", w) for w in words[i : i + rng.choice((2, 3))]]
        return '"' + " ".join(w for w in chunk if w) + '"'

    out: dict = {
        "keywords": [keywords(t or b[:200]) for t, b, _ in sample[:per_type]],
        "headline": [t for t, _, _ in with_title[:per_type]],
        "phrase": [phrase(b) for _, b, _ in sample[per_type : 2 * per_type]],
        "filtered": [[keywords(b[:300], 2), s, None] for _, b, s in sample[:per_type] if s],
        "date": [[keywords(t or b[:200], 2), None, "-date"] for t, b, _ in sample[-per_type:]],
    }
    out["pathological"] = pathological_queries(records)
    return out


def pathological_queries(records: list[tuple[str, str, str | None]]) -> list[str]:
    """Queries that stalled a worker before (issue 9, defect 3) and their relatives."""
    counts: dict[str, int] = {}
    for title, body, _ in records[:3000]:
        for w in _WORD.findall((title + " " + body).lower()):
            counts[w] = counts.get(w, 0) + 1
    common = sorted(counts, key=lambda w: -counts[w])
    prefixes = list(dict.fromkeys(w[:3] for w in common))
    long_text = " ".join(common[60:200])[:490].rsplit(" ", 1)[0]
    long_text = " ".join(long_text.split()[:60])  # the parser takes at most 64 words
    return [
        " ".join(f"{p}*" for p in prefixes[:64]),
        " OR ".join(f"{p}*" for p in prefixes[:32]),
        " ".join(common[:60]),
        " OR ".join(common[:30]),
        long_text,
        '"' + " ".join(common[:20]) + '"',
        " ".join(f"{w[:-1]}x{w[-1]}" for w in common[100:130] if len(w) > 4),
        "con* pro* pre* per* par* com* dis* sta* tra* inf*",
        " ".join(common[:8]) + " " + " ".join(f"{p}*" for p in prefixes[:20]),
    ]


# ----------------------------------------------------------------------------- processes


def run_step(args: list[str], env: dict[str, str], label: str) -> dict:
    """Run one worker step; return its JSON plus its own peak RSS (from wait4)."""
    print(f"  [{time.strftime('%H:%M:%S')}] {label}", flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), *args], stdout=subprocess.PIPE, env=env, text=True
    )
    tree_peak = [0.0, 0.0]  # summed RSS of the tree, largest VmHWM of one process in it
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, tree_peak), daemon=True)
    sampler.start()
    output = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{label} failed with exit code {proc.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    # The largest single process (the worker or one of its writer processes): its VmHWM, read
    # while it runs. Not wait4's ru_maxrss: Linux carries a child's high-water mark over from
    # the moment it was forked, so every worker reported at least this harness's own RSS (the
    # 100k corpus's sampled records: 391 MB for every system). The sampled sum over the process
    # tree shows what a multi-process build holds at once.
    result["peak_rss_mb"] = tree_peak[1] or usage.ru_maxrss / 1024
    result["peak_tree_rss_mb"] = max(tree_peak[0], result["peak_rss_mb"])
    result["wall_seconds"] = time.perf_counter() - started
    return result


def _sample_tree(pid: int, peak: list[float]) -> None:
    """Keep ``peak[0]`` at the largest summed RSS of ``pid`` and its descendants and ``peak[1]``
    at the largest high-water mark (VmHWM) of one of them (every 0.1 s)."""
    while Path(f"/proc/{pid}").exists():
        pids, total = [pid], 0.0
        while pids:
            p = pids.pop()
            rss, hwm = _memory_of(p)
            total += rss
            peak[1] = max(peak[1], hwm)
            pids.extend(_children(p))
        peak[0] = max(peak[0], total)
        time.sleep(0.1)
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
                return
        except OSError:
            return


def system_env(code: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(code)
    env["PYTHONHASHSEED"] = "0"
    return env


def checkout(ref: str, into: Path) -> Path:
    """The ``search`` and ``web`` packages as of ``ref`` (git archive; no worktree touched)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "search", "web"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


# ----------------------------------------------------------------------------- serving


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _memory_of(pid: int) -> tuple[float, float]:
    """A process's resident set and its high-water mark since its last exec, in MB."""
    rss = hwm = 0.0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, hwm


def _rss_of(pid: int) -> float:
    return _memory_of(pid)[0]


def _request(port: int, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000, status


def _paths(queries: dict) -> list[str]:
    paths = []
    for kind in QUERY_TYPES:
        for q in queries[kind]:
            text, source, sort = q if isinstance(q, list) else (q, None, None)
            args = {"q": text}
            if source:
                args["source"] = source
            if sort:
                args["sort"] = sort
            paths.append("/api/search?" + urllib.parse.urlencode(args))
    random.Random(7).shuffle(paths)
    return paths


def load(
    port: int, paths: list[str], concurrency: int, requests: int, cap_s: float, start: int = 0
) -> dict:
    """``requests`` GETs from ``concurrency`` threads (stopping at ``cap_s`` seconds), taking
    ``paths`` from ``start`` on (each level its own queries: none answered from the cache)."""
    lock = threading.Lock()
    times: list[float] = []
    errors = [0]
    next_i = [0]
    deadline = time.perf_counter() + cap_s

    def client() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if next_i[0] >= requests:
                    return
                i = next_i[0]
                next_i[0] += 1
            ms, status = _request(port, paths[(start + i) % len(paths)])
            with lock:
                times.append(ms)
                if status != 200:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "requests": len(times),
        "errors": errors[0],
        "rps": len(times) / seconds if seconds else 0.0,
        "p50": percentile(times, 50),
        "p99": percentile(times, 99),
    }


def serve(code: Path, index: Path, queries: dict, port: int, requests: int, cap_s: float) -> dict:
    env = system_env(code)
    env["GUNICORN_LOG_LEVEL"] = "warning"
    cmd = [sys.executable, "-c", "from search.cli import main; main()", "serve"]
    cmd += ["--index", str(index), "--port", str(port), "--workers", "2"]
    print(f"  [{time.strftime('%H:%M:%S')}] serve on :{port}", flush=True)
    log = open(index.parent / f"serve-{port}.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, env=env, cwd=code, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if _request(port, "/readyz")[1] == 200:
                break
            time.sleep(0.3)
        else:
            raise SystemExit(f"rassegna serve did not become ready on port {port}")
        paths = _paths(queries)
        levels = [
            load(port, paths, c, requests, cap_s, start=i * requests) for i, c in enumerate(LEVELS)
        ]
        workers = _children(proc.pid)
        return {"levels": levels, "worker_rss_mb": [_rss_of(p) for p in workers]}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


# ----------------------------------------------------------------------------- report


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) // 1024
    versions = {}
    for pkg in ("whoosh", "tantivy", "PyStemmer", "gunicorn", "flask"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "-"
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "search", "web"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_mb": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit + (" (+ uncommitted changes)" if dirty else ""),
        "load_start": os.getloadavg(),
    }


def _ratio(value: float, base: float, higher_is_better: bool) -> str:
    if not base or not value:
        return ""
    return f" ({value / base:.2f}x)" if higher_is_better else f" ({base / value:.2f}x faster)"


def render(result: dict) -> str:
    systems = result["systems"]
    base = systems.get("whoosh")
    lines = [
        f"## {result['label']}",
        "",
        f"Run {result['started']} – {result['finished']} on {result['machine']['cpu']}, "
        f"{result['machine']['cores']} cores, {result['machine']['mem_mb']:,} MB RAM, "
        f"Linux {result['machine']['kernel']}, Python {result['machine']['python']}; "
        + ", ".join(f"{k} {v}" for k, v in result["machine"]["versions"].items())
        + f"; Rassegna at {result['machine']['commit']}. Load average at start "
        f"{result['machine']['load_start'][0]:.2f}, at end {result['load_end'][0]:.2f} "
        "(the machine is shared: compare ratios within this run).",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Corpus: {result['corpus']} ({result['articles']:,} articles, "
        f"{result['corpus_mb']:.0f} MB of JSON lines)",
        "",
        "### Build",
        "",
        "| system | articles/s | MB/s | peak RSS MB (largest process / all processes) | index MB |",
        "|---|---|---|---|---|",
    ]
    for name, s in systems.items():
        b = s["build"]
        rate = b["articles"] / b["seconds"]
        base_rate = base["build"]["articles"] / base["build"]["seconds"] if base else 0
        lines.append(
            f"| {name} | {rate:,.0f}{_ratio(rate, base_rate, True)} | "
            f"{b['bytes'] / 1e6 / b['seconds']:.2f} | {b['peak_rss_mb']:,.0f} / "
            f"{b['peak_tree_rss_mb']:,.0f} | "
            f"{b['index_bytes'] / 1e6:,.0f} |"
        )
    lines += [
        "",
        "### Queries through `search()` (top 10, count, snippets; Rassegna: defaults)",
        "",
        "p50 / p95 / p99 in ms; in brackets: times faster than textbook Whoosh at p50 / p95.",
        "",
        "| type | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for kind in QUERY_TYPES:
        row = [kind]
        for s in systems.values():
            ms = s["query"]["types"][kind]["ms"]
            p50, p95, p99 = (percentile(ms, p) for p in (50, 95, 99))
            cell = f"{p50:.1f} / {p95:.1f} / {p99:.1f}"
            if base and s is not base:
                bms = base["query"]["types"][kind]["ms"]
                cell += f" ({percentile(bms, 50) / p50:.1f}x / {percentile(bms, 95) / p95:.1f}x)"
            row.append(cell)
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "| | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
        "| open + first query, ms | "
        + " | ".join(f"{s['query']['open_first_ms']:,.0f}" for s in systems.values())
        + " |",
        "| searching process RSS after "
        + f"{next(iter(systems.values()))['query']['queries_run']:,} queries, MB | "
        + " | ".join(f"{s['query']['rss_after_queries_mb']:,.0f}" for s in systems.values())
        + " |",
        "| searching process peak RSS, MB | "
        + " | ".join(f"{s['query']['peak_rss_mb']:,.0f}" for s in systems.values())
        + " |",
    ]
    for name, s in systems.items():
        if "serve" in s:
            lines += [
                "",
                f"### `rassegna serve` ({name}, 2 gunicorn workers, loopback, mixed query types)",
                "",
                "| concurrency | requests | errors | req/s | p50 ms | p99 ms |",
                "|---|---|---|---|---|---|",
            ]
            for lv in s["serve"]["levels"]:
                lines.append(
                    f"| {lv['concurrency']} | {lv['requests']} | {lv['errors']} | "
                    f"{lv['rps']:.1f} | {lv['p50']:.0f} | {lv['p99']:.0f} |"
                )
            rss = ", ".join(f"{r:,.0f}" for r in s["serve"]["worker_rss_mb"])
            lines += ["", f"Worker RSS after the load: {rss} MB."]
    updates = [(n, s["updates"]) for n, s in systems.items() if s.get("updates")]
    if updates:
        lines += ["", "### Updates (visible to a newly opened searcher)", ""]
        lines += ["| system | 1 article, s | 1,000 articles, s |", "|---|---|---|"]
        for name, u in updates:
            lines.append(f"| {name} | {u['1']['seconds']:.1f} | {u['1000']['seconds']:.1f} |")
    for name, s in systems.items():
        patho = s["query"].get("pathological")
        if patho:
            lines += [
                "",
                f"### Pathological queries ({name}; each run twice, the second from the cache)",
                "",
                "| query | ms | again ms | total |",
                "|---|---|---|---|",
            ]
            for p in patho:
                text = p["query"] if len(p["query"]) < 70 else p["query"][:67] + "…"
                lines.append(f"| `{text}` | {p['ms']:.0f} | {p['again_ms']:.0f} | {p['total']:,} |")
    return "\n".join(lines) + "\n"


def write_results(section: str, label: str, path: Path = RESULTS) -> None:
    """Replace this size's section of RESULTS.md (other sizes stay)."""
    head = (
        "# Benchmark results\n\nWritten by `python -m bench.run` (see its docstring); one section "
        "per corpus. Numbers from a shared 2-core machine: compare the ratios within a section.\n"
    )
    text = path.read_text("utf-8") if path.exists() else head
    begin, end = f"<!-- begin {label} -->", f"<!-- end {label} -->"
    block = f"{begin}\n{section}{end}\n"
    if begin in text:
        text = re.sub(
            re.escape(begin) + ".*?" + re.escape(end) + "\n", lambda _: block, text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, "utf-8")


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20000, help="synthetic articles to generate")
    parser.add_argument("--seed", type=int, default=1, help="generator and query seed")
    parser.add_argument("--corpus", type=Path, help="a real corpus (JSONL) instead of synthetic")
    parser.add_argument("--workdir", type=Path, help="where corpora and indexes go (temp dir)")
    parser.add_argument(
        "--systems", default="whoosh,rassegna,tantivy", help="comma-separated, in order"
    )
    parser.add_argument(
        "--ref", action="append", default=[], help="also run Rassegna as of this git commit"
    )
    parser.add_argument("--per-type", type=int, default=200, help="queries per query type")
    parser.add_argument("--procs", type=int, default=1, help="writer threads for tantivy")
    parser.add_argument("--port", type=int, default=8140, help="first port for rassegna serve")
    parser.add_argument("--serve-requests", type=int, default=300, help="requests per level")
    parser.add_argument("--serve-cap", type=float, default=120, help="seconds per level at most")
    parser.add_argument("--no-serve", action="store_true", help="skip the serving measurement")
    parser.add_argument("--no-update", action="store_true", help="skip the update measurement")
    parser.add_argument("--output", type=Path, default=RESULTS, help="markdown file to update")
    parser.add_argument("--keep", action="store_true", help="keep the indexes afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse each system's index (and its build numbers) kept in --workdir by an earlier "
        "run with --keep; with --no-update, as updates change the index",
    )
    args = parser.parse_args()
    if args.reuse and not args.no_update:
        parser.error("--reuse needs --no-update (updates change the kept indexes)")

    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    info = machine()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="rassegna-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.corpus:
        corpus = args.corpus.resolve()
        label = f"{corpus.parent.name}/{corpus.name}"
    else:
        corpus = workdir / f"synthetic-{args.n}-seed{args.seed}.jsonl"
        if not corpus.exists():
            print(f"generating {args.n:,} articles into {corpus}", flush=True)
            generate.write_corpus(corpus, args.n, args.seed)
        label = f"{args.n:,} synthetic articles (seed {args.seed})"
    extra = {}
    for n in (1, 1000):
        extra[n] = workdir / f"update-{n}.jsonl"
        if not extra[n].exists():
            generate.write_corpus(extra[n], n, args.seed + 1000 + n)
    queries = make_queries(corpus, args.per_type, args.seed)
    queries_path = workdir / "queries.json"
    queries_path.write_text(json.dumps(queries, ensure_ascii=False), "utf-8")
    articles = sum(1 for line in corpus.open(encoding="utf-8") if line.strip())

    runs: list[tuple[str, str, Path]] = []  # (name, system, code dir)
    names = [s.strip() for s in args.systems.split(",") if s.strip()]
    for name in names:
        if name == "rassegna":
            for ref in args.ref:
                code = checkout(ref, workdir / f"code-{ref}")
                runs.append((f"rassegna@{ref}", "rassegna", code))
        runs.append((name, name, REPO))

    port = args.port
    results: dict = {}
    for name, system, code in runs:
        print(f"{name}:", flush=True)
        env = system_env(code)
        index = workdir / f"index-{name.replace('@', '-')}"
        built = workdir / f"build-{name.replace('@', '-')}.json"
        entry: dict = {}
        if args.reuse and index.exists() and built.exists():
            print(f"  reusing {index} (built as {built} says)", flush=True)
            entry["build"] = json.loads(built.read_text("utf-8"))
        else:
            shutil.rmtree(index, ignore_errors=True)
            entry["build"] = run_step(
                ["build", system, str(corpus), str(index), "--procs", str(args.procs)], env, "build"
            )
            built.write_text(json.dumps(entry["build"]), "utf-8")
        entry["query"] = run_step(["query", system, str(index), str(queries_path)], env, "query")
        if system == "rassegna" and not args.no_serve:
            entry["serve"] = serve(code, index, queries, port, args.serve_requests, args.serve_cap)
            port += 1
        if system != "tantivy" and not args.no_update:
            entry["updates"] = {
                str(n): run_step(["update", system, str(index), str(extra[n])], env, f"update {n}")
                for n in (1, 1000)
            }
        results[name] = entry
        if not args.keep and not args.reuse:
            shutil.rmtree(index, ignore_errors=True)

    argv = " ".join(shlex.quote(a) for a in sys.argv[1:])
    result = {
        "label": label,
        "started": started,
        "finished": datetime.datetime.now().strftime("%H:%M"),
        "machine": info,
        "load_end": os.getloadavg(),
        "command": f"python -m bench.run {argv}".strip(),
        "corpus": label,
        "articles": articles,
        "corpus_mb": corpus.stat().st_size / 1e6,
        "systems": results,
    }
    (workdir / "results.json").write_text(json.dumps(result, indent=1), "utf-8")
    section = render(result)
    print()
    print(section)
    write_results(section, label, args.output)
    print(f"written to {args.output} (raw numbers in {workdir / 'results.json'})")


if __name__ == "__main__":
    main()
