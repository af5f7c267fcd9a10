#!/usr/bin/env python3
"""Mixed load for bench/soak.sh, standard library only.

  soak.py PORT SECONDS THREADS GEN_DIR PID OUT_CSV

Each thread loops over: GET of a stored key (hit, 200), GET of an unknown key (miss, 404),
HEAD of a stored key (200), PUT of a new artifact (201), PUT of a stored key again (409, write
once), GET /health and /v1/stats (200), in proportions 40/15/15/15/5/10. Artifacts come from
GEN_DIR (artifacts.py small): the first half is stored before the load, the second half is
uploaded during it. Any other status or any connection error counts as an error.

Every 5 s the server's RSS (VmRSS of PID) and the counts so far go to OUT_CSV and stdout.
Prints one summary line at the end; exits 1 if there was any error.
"""
import http.client
import os
import random
import sys
import threading
import time

port, seconds, threads, gen_dir, pid, out_csv = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                                  sys.argv[4], sys.argv[5], sys.argv[6])
keys = [k.strip() for k in open(os.path.join(gen_dir, "keys.txt")) if k.strip()]
half = len(keys) // 2
stored, fresh = keys[:half], keys[half:]
fresh_lock = threading.Lock()
bodies = {}


def body(key):
    if key not in bodies:
        with open(os.path.join(gen_dir, key + ".zst"), "rb") as f:
            bodies[key] = f.read()
    return bodies[key]


counts = {"requests": 0, "errors": 0}
by_kind = {}
errors_seen = []
lock = threading.Lock()


def count(kind, ok, detail=""):
    with lock:
        counts["requests"] += 1
        by_kind[kind] = by_kind.get(kind, 0) + 1
        if not ok:
            counts["errors"] += 1
            if len(errors_seen) < 20:
                errors_seen.append(kind + " " + detail)


def request(conn, method, path, payload=None):
    headers = {"Content-Type": "application/octet-stream"} if payload is not None else {}
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, data


def store(conn, key):
    status, _ = request(conn, "PUT", "/v1/artifacts/" + key, body(key))
    return status


def worker(deadline, seed):
    rnd = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.time() < deadline:
        roll = rnd.random()
        try:
            if roll < 0.40:
                kind, key = "get-hit", rnd.choice(stored)
                status, data = request(conn, "GET", "/v1/artifacts/" + key)
                ok = status == 200 and data == body(key)
            elif roll < 0.55:
                kind = "get-miss"
                status, _ = request(conn, "GET", "/v1/artifacts/" + "%064x" % rnd.getrandbits(256))
                ok = status == 404
            elif roll < 0.70:
                kind = "head"
                status, _ = request(conn, "HEAD", "/v1/artifacts/" + rnd.choice(stored))
                ok = status == 200
            elif roll < 0.85:
                kind = "put-new"
                with fresh_lock:
                    key = fresh.pop() if fresh else None
                if key is None:
                    continue
                status = store(conn, key)
                ok = status == 201
            elif roll < 0.90:
                kind = "put-again"
                status = store(conn, rnd.choice(stored))
                ok = status == 409
            else:
                kind = "stats"
                status, _ = request(conn, "GET", rnd.choice(["/health", "/v1/stats"]))
                ok = status == 200
            count(kind, ok, str(status))
        except (OSError, http.client.HTTPException) as e:
            count("connection", False, repr(e))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()


def rss_kib():
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for key in stored:
        status = store(conn, key)
        if status not in (201, 409):
            sys.exit("prefill: PUT %s answered %d" % (key, status))
    conn.close()
    start = time.time()
    deadline = start + seconds
    workers = [threading.Thread(target=worker, args=(deadline, i), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    with open(out_csv, "w") as out:
        out.write("seconds,rss_kib,requests,errors\n")
        while any(w.is_alive() for w in workers):
            time.sleep(5)
            with lock:
                line = "%d,%d,%d,%d" % (time.time() - start, rss_kib(), counts["requests"], counts["errors"])
            out.write(line + "\n")
            out.flush()
            print(line, flush=True)
    print("summary: %d requests in %d s, %d errors, by kind %s, first errors %s" % (
        counts["requests"], time.time() - start, counts["errors"], dict(sorted(by_kind.items())), errors_seen))
    sys.exit(1 if counts["errors"] else 0)


main()
