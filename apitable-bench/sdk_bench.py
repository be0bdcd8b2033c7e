"""The Python side of the scale benchmark: the official APITable SDK (`pip install apitable`),
pointed at the emulator with `Apitable(token, api_base=...)`.

Started by `apitable-bench all` (see BENCHMARKS.md), one scenario per process:

    python sdk_bench.py SCENARIO --base URL --token T [--dst DST] [--paced] ...

and prints one JSON line: {"ok": bool, "elapsed": seconds, "error": "...", ...}.

The SDK has no working pacing of its own: its `ApitableSession` (sleep 1/QPS = 0.2 s before
each call) is not used by `Apitable`, and its methods would not accept the keyword arguments the
SDK passes. `--paced` applies the same 0.2 s sleep before every request of the session, which
is what a user of the SDK can do. Without `--paced` the SDK runs as shipped: it raises on the
first 429, and that is reported, not retried.
"""

import argparse
import json
import resource
import statistics
import sys
import threading
import time

from apitable import Apitable
from apitable.types import GETRecordResponse

PER_WRITE = 10  # the SDK's MAX_WRITE_RECORDS_PRE_REQ


def row(i, qty=None):
    return {
        "Name": f"item {i:05}",
        "Qty": float(i if qty is None else qty),
        "Notes": f"Benchmark row {i} with a short note",
        "Done": i % 2 == 0,
    }


def client(args):
    api = Apitable(args.token, api_base=args.base)
    if args.paced:
        send = api.request.request

        def paced(*a, **kw):
            time.sleep(0.2)
            return send(*a, **kw)

        api.request.request = paced
    return api


def chunks(items, n):
    for i in range(0, len(items), n):
        yield items[i:i + n]


def wait_for_start(args):
    if args.start_at:
        delay = args.start_at - time.time()
        if delay > 0:
            time.sleep(delay)


def insert_rows(dst, rows):
    for batch in chunks(rows, PER_WRITE):
        dst.records.bulk_create(batch)


def run_threads(targets):
    """Runs each callable in a thread; returns the first exception raised, if any."""
    errors = []

    def wrap(f):
        try:
            f()
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(f,)) for f in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def scenario(args):
    api = client(args)
    dst = api.datasheet(args.dst) if args.dst else None
    name = args.scenario
    out = {}
    if name == "insert":
        rows = [row(i) for i in range(args.n)]
        insert_rows(dst, rows)
    elif name == "read":
        out["records"] = len(dst.records.all())
    elif name == "burst":
        answered = []

        def one():
            dst.get_records(pageSize=10)
            answered.append(time.time())

        run_threads([one] * 5)
    elif name == "upsert":
        rows = []
        for i in range(1000):
            price = i + 0.5 if i < 500 and i % 5 == 0 else i
            rows.append(row(i, price))
        present = {}
        for rec in dst.records.all():
            present[rec.json()["Name"]] = rec
        new, changed = [], []
        for r in rows:
            rec = present.get(r["Name"])
            if rec is None:
                new.append(r)
            elif rec.json().get("Qty") != r["Qty"]:
                changed.append({"recordId": rec._id, "fields": {"Qty": r["Qty"]}})
        insert_rows(dst, new)
        for batch in chunks(changed, PER_WRITE):
            dst.records.bulk_update(batch)
        out["created"], out["updated"] = len(new), len(changed)
    elif name == "callers":
        rows = [row(i) for i in range(args.n)]
        run_threads([lambda b=b: dst.records.bulk_create(b) for b in chunks(rows, PER_WRITE)])
    elif name == "two":
        second = api.datasheet(args.dst2)
        rows = [row(i) for i in range(args.n)]
        run_threads([lambda: insert_rows(dst, rows), lambda: insert_rows(second, rows)])
    elif name == "procs-worker":
        rows = [row(args.worker * 1000 + i) for i in range(args.n)]
        wait_for_start(args)
        out["start"] = time.time()
        insert_rows(dst, rows)
        out["end"] = time.time()
    elif name == "menu":
        # `rate` reads a second of one query for `secs` seconds; no cache in the SDK.
        # Reads are sent on that schedule (back to back when late) until `secs` are over.
        begin = time.time()
        reads = 0
        while time.time() < begin + args.secs:
            delay = begin + reads / args.rate - time.time()
            if delay > 0:
                time.sleep(delay)
            dst.get_records(pageSize=100)
            reads += 1
        out["reads"] = reads
    else:
        raise SystemExit(f"unknown scenario {name}")
    return out


def vm_hwm_kb():
    """Peak resident set of this process (KiB). Not getrusage's ru_maxrss: Linux carries that
    over from the parent across fork and exec."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def stream(args):
    base = vm_hwm_kb()
    api = client(args)
    begin = time.time()
    n = 0
    for _ in api.datasheet(args.dst).records.all():
        n += 1
    return {
        "ok": True,
        "elapsed": time.time() - begin,
        "records": n,
        "baseline_kb": base,
        "peak_kb": vm_hwm_kb(),
    }


def decode(args):
    with open(args.file, "rb") as f:
        body = f.read()
    times = []
    for _ in range(args.n):
        t = time.perf_counter()
        r = json.loads(body)
        page = GETRecordResponse(**r)
        times.append(time.perf_counter() - t)
        assert len(page.data.records) > 0
    return {"ok": True, "median": statistics.median(times), "elapsed": sum(times)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("--base", default="")
    p.add_argument("--token", default="")
    p.add_argument("--dst")
    p.add_argument("--dst2")
    p.add_argument("--paced", action="store_true")
    p.add_argument("--n", type=int, default=0)
    p.add_argument("--worker", type=int, default=0)
    p.add_argument("--start-at", type=float, default=0.0)
    p.add_argument("--rate", type=float, default=100.0)
    p.add_argument("--secs", type=float, default=10.0)
    p.add_argument("--file")
    args = p.parse_args()
    if args.scenario == "stream":
        result = stream(args)
    elif args.scenario == "decode":
        result = decode(args)
    else:
        if args.scenario != "procs-worker":
            wait_for_start(args)
        begin = time.time()
        try:
            result = scenario(args)
            result.update(ok=True)
        except Exception as e:  # noqa: BLE001 - the outcome is the measurement
            result = {"ok": False, "error": f"{type(e).__name__}: {e}"[:200]}
        result["elapsed"] = time.time() - begin
    print(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
