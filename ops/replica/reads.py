#!/usr/bin/env python3
"""Standby reads against primary reads (docs/replication.md, "Figures"): run by `ops/replica/run reads`.

Two service processes on the same replicated cluster: STANDBY (ConnectionStrings__LedgerStandby set) and PRIMARY (not
set). One agency is set up through STANDBY (Renstra, two indicators, PK, realizations); then, for each mode, CLIENTS
threads read GET /api/agencies/{a}/indicators/{I}?year=2023 in a closed loop for SECONDS (after a warm-up):
  primary           - PRIMARY, every read on the primary
  standby           - STANDBY, no Ledger-Min-Lsn (served by the standby as it is)
  standby+min-lsn   - STANDBY with the Ledger-Lsn of the last write (already replayed: the wait is one check)
Prints one line per mode: reads, reads/s, p50/p99 ms, and which server answered (Ledger-Read-From).
"""
import http.client, json, sys, threading, time, uuid

standby_url, primary_url, token, seconds, clients = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])


def conn(url):
    host, port = url.replace("http://", "").split(":")
    return http.client.HTTPConnection(host, int(port), timeout=30)


def call(c, method, path, tok, body=None, headers=None):
    h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
    h.update(headers or {})
    c.request(method, path, body=None if body is None else json.dumps(body), headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, data, r


def must(c, method, path, tok, body):
    status, data, r = call(c, method, path, tok, body)
    if status >= 300:
        sys.exit(f"{method} {path}: {status} {data[:300]!r}")
    return json.loads(data) if data else {}, r


c = conn(standby_url)
code = "rd" + uuid.uuid4().hex[:6]
must(c, "POST", "/api/agencies", token, {"code": code, "name": "BKPSDM " + code})
staff = must(c, "POST", "/api/users", token, {"name": "Perencana", "role": "staff", "agency": code})[0]["token"]
approver = must(c, "POST", "/api/users", token, {"name": "Kepala", "role": "approver", "agency": code})[0]["token"]
a = f"/api/agencies/{code}"
must(c, "POST", f"{a}/renstra", approver, {"periodStart": 2021, "periodEnd": 2026, "title": "Renstra 2021-2026", "decree": "Perwali 29/2021"})
for ind, target in (("I2", 75), ("I8", 80)):
    must(c, "POST", f"{a}/renstra/2021/indicators", approver, {"code": ind, "name": "Indikator " + ind, "level": "sasaran", "kind": "IKU",
         "unit": "%", "polarity": "higher", "aggregation": "annual", "targets": {"2023": target}})
must(c, "POST", f"{a}/pk/2023", approver, {"signedOn": "2023-01-31", "signer": {"name": "Kepala", "nip": "19800412 200003 1 003", "position": "Kepala Badan"},
     "targets": [{"indicator": "I2", "target": 75}, {"indicator": "I8", "target": 80}]})
must(c, "POST", f"{a}/realizations", staff, {"indicator": "I2", "year": 2023, "period": "Y", "value": 70, "evidence": "rekap"})
lsn = None
for i in range(20):  # a stream of some length
    _, r = must(c, "POST", f"{a}/realizations/corrections", staff, {"indicator": "I2", "year": 2023, "period": "Y", "value": 50 + i, "reason": "Koreksi data"})
    lsn = r.getheader("Ledger-Lsn")
path = f"{a}/indicators/I2?year=2023"


def run(url, headers, duration):
    lat, sources, errors = [], {}, []
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def client():
        k = conn(url)
        mine, src = [], {}
        while time.monotonic() < stop:
            t = time.perf_counter()
            status, _, r = call(k, "GET", path, staff, headers=headers)
            mine.append(time.perf_counter() - t)
            if status != 200:
                errors.append(status)
            s = r.getheader("Ledger-Read-From") or "primary (no standby configured)"
            src[s] = src.get(s, 0) + 1
        with lock:
            lat.extend(mine)
            for s, n in src.items():
                sources[s] = sources.get(s, 0) + n

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads: t.start()
    for t in threads: t.join()
    return lat, sources, errors


modes = [("primary", primary_url, {}), ("standby", standby_url, {}), ("standby+min-lsn", standby_url, {"Ledger-Min-Lsn": lsn})]
print(f"{clients} clients, {seconds} s per mode after a 5 s warm-up, GET {path.replace(code, '{agency}')} (a year stream of 22 events)")
print("| mode | reads | reads/s | p50 ms | p99 ms | answered by |")
print("|---|---:|---:|---:|---:|---|")
for name, url, headers in modes:
    run(url, headers, 5)
    lat, sources, errors = run(url, headers, seconds)
    if errors:
        sys.exit(f"{name}: {len(errors)} answers were not 200: {sorted(set(errors))}")
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
    print(f"| {name} | {len(lat)} | {len(lat) / seconds:.0f} | {p(0.5):.1f} | {p(0.99):.1f} | "
          + ", ".join(f"{s} ×{n}" for s, n in sorted(sources.items())) + " |")
