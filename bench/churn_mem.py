#!/usr/bin/env python3
"""Connection churn and memory under load for RESP servers, beside the shared harness (Python 3 stdlib only).

    python3 bench/churn_mem.py churn   --out DIR NAME=COMMAND ...   # open / PING / close, per second
    python3 bench/churn_mem.py loadmem --out DIR NAME=COMMAND ...   # RSS and heap while 1000 clients load it

COMMAND is run as `bash -c "exec COMMAND"` with PORT replaced by a free port, as the harness does; it must
serve RESP on 127.0.0.1:PORT in the foreground. Each target is started fresh, measured, and stopped by its PID
(SIGTERM, then SIGKILL after 10 s). Targets are interleaved over ROUNDS (env, default 2).

churn: W worker processes (env CHURN_WORKERS, default 2) each, for CHURN_SECS (default 5) after a 1 s warm-up,
connect from 127.0.0.2-9 (so client ports do not run out), send PING, read +PONG, close; the figure is the
completed cycles per second. Bounded: at most CHURN_MAX (default 200 000) cycles per worker.

loadmem: idle VmRSS; then redis-benchmark -c 1000 -P 16 -d 64 -t set,get -n LOAD_N (default 2 000 000) while
VmRSS is sampled every 0.25 s; the peak; for JVMs the heap used before and after a GC (jcmd), with the clients
gone. Writes DIR/churn.json or DIR/loadmem.json and prints a table.
"""
import json
import multiprocessing
import os
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time

PING = b"*1\r\n$4\r\nPING\r\n"


def free_port(base=17500):
    for port in range(base, base + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise SystemExit("no free port")


def start(command, log):
    port = free_port()
    proc = subprocess.Popen(["bash", "-c", "exec " + command.replace("PORT", str(port))],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(PING)
                if s.recv(16).startswith(b"+PONG"):
                    return proc, port
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"{command}: no PONG in 60 s")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def churn_worker(args):
    port, worker, secs, max_cycles = args
    sources = [f"127.0.0.{2 + (worker * 4 + i) % 8}" for i in range(8)]
    done, failed, start_t, i = 0, 0, time.time(), 0
    while time.time() - start_t < secs and done < max_cycles:
        try:
            with socket.socket() as s:
                s.settimeout(5)
                s.bind((sources[i % 8], 0))
                i += 1
                s.connect(("127.0.0.1", port))
                s.sendall(PING)
                if not s.recv(16).startswith(b"+PONG"):
                    failed += 1
                    continue
            done += 1
        except OSError:
            failed += 1
    return done, failed, time.time() - start_t


def churn(port):
    workers = int(os.environ.get("CHURN_WORKERS", "2"))
    secs = float(os.environ.get("CHURN_SECS", "5"))
    cap = int(os.environ.get("CHURN_MAX", "200000"))
    with multiprocessing.Pool(workers) as pool:
        pool.map(churn_worker, [(port, w, 1.0, cap) for w in range(workers)])  # warm-up
        results = pool.map(churn_worker, [(port, w, secs, cap) for w in range(workers)])
    done = sum(r[0] for r in results)
    return {"cycles_per_s": round(done / max(r[2] for r in results), 1), "cycles": done,
            "failed": sum(r[1] for r in results)}


def heap_used_kb(pid, gc):
    jcmd = os.path.join(os.path.dirname(os.readlink(f"/proc/{pid}/exe")), "jcmd")  # the server's own JDK
    if gc:
        subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) if m else None


def loadmem(proc, port):
    pid = proc.pid
    idle = rss_kb(pid)
    n = os.environ.get("LOAD_N", "2000000")
    rb = subprocess.Popen(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", "1000", "-P", "16",
                           "-d", "64", "-t", "set,get", "-n", n, "--csv"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    samples, t0 = [], time.time()
    while rb.poll() is None and time.time() - t0 < 300:
        samples.append(rss_kb(pid))
        time.sleep(0.25)
    if rb.poll() is None:
        rb.kill()
    out = rb.communicate()[0]
    rps = {row.split(",")[0].strip('"'): float(row.split(",")[1].strip('"'))
           for row in out.splitlines() if row.startswith('"') and not row.startswith('"test"')}
    java = os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "java"
    result = {"idle_rss_kb": idle, "peak_rss_kb": max(samples), "median_rss_under_load_kb": statistics.median(samples),
              "rps": rps, "secs": round(time.time() - t0, 1)}
    if java:
        result["heap_used_kb_before_gc"] = heap_used_kb(pid, gc=False)
        result["heap_used_kb_after_gc"] = heap_used_kb(pid, gc=True)
    result["rss_after_kb"] = rss_kb(pid)
    return result


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    out = "."
    if args[:1] == ["--out"]:
        out, args = args[1], args[2:]
    os.makedirs(out, exist_ok=True)
    targets = [a.split("=", 1) for a in args]
    results = {name: [] for name, _ in targets}
    with open(os.path.join(out, f"{mode}.log"), "a") as log:
        for rnd in range(int(os.environ.get("ROUNDS", "2"))):
            for name, command in targets:
                proc, port = start(command, log)
                try:
                    time.sleep(1)
                    r = churn(port) if mode == "churn" else loadmem(proc, port)
                finally:
                    stop(proc)
                r["round"] = rnd + 1
                results[name].append(r)
                print(name, json.dumps(r), flush=True)
    with open(os.path.join(out, f"{mode}.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
