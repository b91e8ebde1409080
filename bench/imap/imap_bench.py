"""bench/imap's driver: MailFountain's IMAP server and Dovecot side by side (see `run`).

Each measure is a function that runs on one server and returns its figures; main() runs
every measure on MailFountain and then on Dovecot, both servers started once for the whole
run, and prints the table with the ratios. Everything goes under --scratch."""

import argparse
import asyncio
import multiprocessing
import os
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imap_client  # noqa: E402
import messages  # noqa: E402
import servers  # noqa: E402

CLK = os.sysconf("SC_CLK_TCK")


def say(text):
    print(f"== {text}", file=sys.stderr, flush=True)


def cpu_seconds(server):
    """CPU seconds (user + system) used so far by the server's processes, with the children
    they have reaped (Dovecot's master reaps its exited imap processes)."""
    total = 0
    for pid in server.pids():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        except (OSError, IndexError, ValueError):
            pass
    return total / CLK


def connect(port):
    """A logged-in client connection."""
    c = imap_client.Client(port, imap_client.tls_context())
    c.login(servers.USER, servers.PASSWORD)
    return c


# ---- 1. logins/s --------------------------------------------------------------------------

def _login_worker(port, start_at, stop_at, results):
    ctx = imap_client.tls_context()
    done = failed = 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        try:
            c = imap_client.Client(port, ctx)
            c.login(servers.USER, servers.PASSWORD)
            c.logout()
            done += 1
        except (OSError, imap_client.ImapError):
            failed += 1
    results.put((done, failed))


def measure_logins(server, args):
    """N processes, each in a loop: connect, TLS handshake, greeting, LOGIN, LOGOUT, close."""
    c = connect(server.port)
    tls = f"{c.sock.version()} {c.sock.cipher()[0]}"
    c.logout()
    results = multiprocessing.Queue()
    start_at = time.time() + 1.0
    stop_at = start_at + args.login_seconds
    procs = [multiprocessing.Process(target=_login_worker,
                                     args=(server.port, start_at, stop_at, results))
             for _ in range(args.login_clients)]
    for p in procs:
        p.start()
    while time.time() < start_at:
        time.sleep(0.001)
    cpu0 = cpu_seconds(server)
    got = [results.get() for _ in procs]
    cpu1 = cpu_seconds(server)
    for p in procs:
        p.join()
    done = sum(g[0] for g in got)
    failed = sum(g[1] for g in got)
    if failed:
        say(f"{server.name}: {failed} logins failed")
    return {"logins/s": done / args.login_seconds, "login cpu ms": 1000 * (cpu1 - cpu0) / max(done, 1),
            "logins failed": failed, "tls": tls}


# ---- 2. APPEND ----------------------------------------------------------------------------

def _append_worker(port, numbers, barrier, results):
    bodies = [messages.message(i) for i in numbers]
    c = connect(port)
    barrier.wait()
    for body in bodies:
        c.append("INBOX", body)
    c.logout()
    results.put(len(bodies))


def append_range(server, first, last, clients):
    """Messages first..last-1 into INBOX by `clients` processes, each its own connection
    (message i goes to client i % clients, so each appends in increasing order).
    Returns (seconds, server CPU seconds)."""
    if clients == 1:
        c = connect(server.port)
        bodies = [messages.message(i) for i in range(first, last)]
        cpu0, t0 = cpu_seconds(server), time.perf_counter()
        for body in bodies:
            c.append("INBOX", body)
        t1, cpu1 = time.perf_counter(), cpu_seconds(server)
        c.logout()
        return t1 - t0, cpu1 - cpu0
    results = multiprocessing.Queue()
    barrier = multiprocessing.Barrier(clients + 1)
    procs = [multiprocessing.Process(target=_append_worker,
                                     args=(server.port, range(first + k, last, clients),
                                           barrier, results))
             for k in range(clients)]
    for p in procs:
        p.start()
    barrier.wait()
    cpu0, t0 = cpu_seconds(server), time.perf_counter()
    total = sum(results.get() for _ in procs)
    t1, cpu1 = time.perf_counter(), cpu_seconds(server)
    for p in procs:
        p.join()
    assert total == last - first
    return t1 - t0, cpu1 - cpu0


def measure_append(server, args):
    """A messages by one client (APPEND rate), then the rest of the mailbox by several
    clients (timed too): the 10,000-message INBOX of the FETCH and SEARCH measures.
    Messages are in APPEND order, so sequence number i+1 is messages.message(i)."""
    one, one_cpu = append_range(server, 0, args.appends, 1)
    many, many_cpu = append_range(server, args.appends, args.mailbox, args.append_clients)
    n_many = args.mailbox - args.appends
    return {"append 1 client msg/s": args.appends / one,
            "append 1 client cpu ms": 1000 * one_cpu / args.appends,
            "append N clients msg/s": n_many / many if n_many else 0.0,
            "append N clients cpu ms": 1000 * many_cpu / n_many if n_many else 0.0}


# ---- 3 and 4. FETCH and SEARCH ----------------------------------------------------------

def timed(c, command):
    t0 = time.perf_counter()
    out = c.command(command)
    return time.perf_counter() - t0, out


def measure_fetch(server, args):
    c = connect(server.port)
    t_select, out = timed(c, "SELECT INBOX")
    exists = int(re.search(rb"\* (\d+) EXISTS", out).group(1))
    if exists != args.mailbox:
        raise RuntimeError(f"{server.name}: INBOX has {exists} messages, not {args.mailbox}")
    times = []
    for _ in range(args.repeat):
        t, out = timed(c, "FETCH 1:* (FLAGS ENVELOPE)")
        times.append(t)
        got = len(re.findall(rb"\r\n\* \d+ FETCH \(", b"\r\n" + out))
        if got != args.mailbox:
            raise RuntimeError(f"{server.name}: FETCH returned {got} responses")
    c.logout()
    return {"select s": t_select, "fetch first s": times[0], "fetch best s": min(times),
            "fetch bytes": len(out)}


def measure_search(server, args):
    c = connect(server.port)
    c.command("EXAMINE INBOX")
    want = sorted(i for i in range(args.mailbox) if i % 100 == 7)
    result = {}
    for key in ("TEXT", "BODY"):
        times = []
        for _ in range(args.repeat):
            t, out = timed(c, f'SEARCH {key} "{messages.MARKER}"')
            times.append(t)
            found = re.search(rb"\* SEARCH([ \d]*)\r\n", out).group(1).split()
            # Several clients appended the mailbox: sequence numbers are not message
            # numbers. The Message-IDs (<i.bench@example.net>) say which were found.
            ids = []
            if found:
                ids = re.findall(rb"Message-ID: <(\d+)\.bench@", c.command(
                    f"FETCH {b','.join(found).decode()} "
                    "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"))
            if sorted(int(i) for i in ids) != want:
                raise RuntimeError(f"{server.name}: SEARCH {key} found {len(found)} "
                                   f"messages, not the {len(want)} expected")
        result[f"search {key.lower()} first s"] = times[0]
        result[f"search {key.lower()} best s"] = min(times)
    c.logout()
    return result


# ---- 5. memory per idle connection -------------------------------------------------------

async def _hold(server, args):
    ctx = imap_client.tls_context()
    sem = asyncio.Semaphore(args.open_parallel)

    async def one():
        async with sem:
            return await imap_client.open_idle(server.port, ctx, servers.USER,
                                               servers.PASSWORD)

    await asyncio.sleep(args.settle)
    before, procs0 = server.pss()
    conns = await asyncio.gather(*(one() for _ in range(args.connections)))
    await asyncio.sleep(args.settle)
    logged, procs1 = server.pss()
    for reader, writer in conns:
        await imap_client.async_command(reader, writer, b"S", "EXAMINE INBOX")
    await asyncio.sleep(args.settle)
    selected, procs2 = server.pss()
    for reader, writer in conns:
        writer.close()
    await asyncio.gather(*(w.wait_closed() for _, w in conns), return_exceptions=True)
    n = args.connections
    return {"pss before MB": before / 1024, "pss logged MB": logged / 1024,
            "pss per conn KB": (logged - before) / n,
            "pss per selected conn KB": (selected - before) / n,
            "processes": f"{procs0} -> {procs1} -> {procs2}"}


def measure_memory(server, args):
    return asyncio.run(_hold(server, args))


MEASURES = {"logins": measure_logins, "append": measure_append, "fetch": measure_fetch,
            "search": measure_search, "memory": measure_memory}


# ---- perf, the table ---------------------------------------------------------------------

def with_perf(server, name, fn, args):
    data = os.path.join(args.scratch, f"perf-{name}.data")
    perf = subprocess.Popen(["perf", "record", "-q", "-F", "999", "-g", "-o", data, "-p",
                             str(server.proc.pid)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        return fn(server, args)
    finally:
        perf.send_signal(2)
        perf.wait()
        report = subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio",
                                 "--sort", "dso,symbol", "-g", "none", "--percent-limit", "1"],
                                capture_output=True, text=True).stdout
        path = os.path.join(args.scratch, f"perf-{name}.txt")
        with open(path, "w") as f:
            f.write(report)
        say(f"perf profile of mailfountaind during '{name}': {path}")


def fmt(x):
    if isinstance(x, str):
        return x
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.3f}"


def table(res, args):
    mf, dc = res["MailFountain"], res["Dovecot"]
    rows = [  # (label, key, higher is better)
        (f"logins/s ({args.login_clients} clients: TLS handshake, LOGIN, LOGOUT)", "logins/s", True),
        ("  server CPU ms per login", "login cpu ms", False),
        (f"APPEND msg/s, 1 client ({args.appends:,} msgs)", "append 1 client msg/s", True),
        ("  server CPU ms per APPEND", "append 1 client cpu ms", False),
        (f"APPEND msg/s, {args.append_clients} clients ({args.mailbox - args.appends:,} msgs)",
         "append N clients msg/s", True),
        ("  server CPU ms per APPEND", "append N clients cpu ms", False),
        (f"SELECT INBOX ({args.mailbox:,} msgs), first, s", "select s", False),
        ("FETCH 1:* (FLAGS ENVELOPE), first, s", "fetch first s", False),
        (f"FETCH 1:* (FLAGS ENVELOPE), best of {args.repeat}, s", "fetch best s", False),
        (f'SEARCH TEXT "{messages.MARKER}", first, s', "search text first s", False),
        (f'SEARCH TEXT "{messages.MARKER}", best of {args.repeat}, s', "search text best s", False),
        (f'SEARCH BODY "{messages.MARKER}", first, s', "search body first s", False),
        (f'SEARCH BODY "{messages.MARKER}", best of {args.repeat}, s', "search body best s", False),
        ("PSS of the idle server, MB", "pss before MB", False),
        (f"PSS per idle logged-in TLS connection ({args.connections:,}), KB", "pss per conn KB", False),
        ("  same, INBOX examined, KB", "pss per selected conn KB", False),
    ]
    out = ["| measure | MailFountain | Dovecot | MailFountain advantage (×) |",
           "|---|---:|---:|---:|"]
    for label, key, higher in rows:
        if key not in mf and key not in dc:
            continue
        a, b = mf.get(key, ""), dc.get(key, "")
        if a and b:
            adv = a / b if higher else b / a
            adv_text = f"{adv:.2f}"
        else:
            adv_text = ""
        out.append(f"| {label} | {fmt(a)} | {fmt(b)} | {adv_text} |")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--mailfountaind", required=True)
    p.add_argument("--mfctl", required=True)
    p.add_argument("--scratch", required=True)
    p.add_argument("--quick", action="store_true",
                   help="a short run: 1,000-message mailbox, 200 appends, 100 connections")
    p.add_argument("--measures", default="logins,append,fetch,search,memory")
    p.add_argument("--mailbox", type=int, default=10000)
    p.add_argument("--appends", type=int, default=2000)
    p.add_argument("--append-clients", type=int, default=4)
    p.add_argument("--login-clients", type=int, default=4)
    p.add_argument("--login-seconds", type=float, default=10)
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--open-parallel", type=int, default=8)
    p.add_argument("--settle", type=float, default=3)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--servers", default="mailfountain,dovecot",
                   help="which to measure (a profiling run may skip Dovecot)")
    p.add_argument("--perf", default="", help="measures to profile mailfountaind in (perf)")
    p.add_argument("--command", default="", help="the command line, to print")
    args = p.parse_args()
    if args.quick:
        args.mailbox, args.appends, args.connections = 1000, 200, 100
        args.login_seconds, args.settle = 3, 1
    measures = [m for m in args.measures.split(",") if m]
    if "fetch" in measures or "search" in measures:
        if "append" not in measures:
            raise SystemExit("fetch and search need the append measure (it fills INBOX)")

    cert, key = servers.make_certificate(args.scratch)
    mf = servers.MailFountain(args.mailfountaind, args.mfctl, args.scratch, cert, key)
    stored = mf.setup()
    dc = servers.Dovecot(args.scratch, cert, key, stored)
    dc.setup()
    say(f"account {servers.USER}, yescrypt hash shared by both: {stored[:12]}...")
    load0 = os.getloadavg()
    results = {"MailFountain": {}, "Dovecot": {}}
    try:
        chosen = [s for s in (mf, dc) if s.name.lower() in args.servers.split(",")]
        for server in chosen:
            server.start()
            say(f"{server.name}: pid {server.proc.pid}, IMAPS port {server.port}")
        for name in measures:
            for server in chosen:
                say(f"{name}: {server.name}")
                t0 = time.monotonic()
                if server is mf and name in args.perf.split(","):
                    r = with_perf(server, name, MEASURES[name], args)
                else:
                    r = MEASURES[name](server, args)
                results[server.name].update(r)
                say(f"  {time.monotonic() - t0:.1f} s: " +
                    ", ".join(f"{k} {fmt(v)}" for k, v in r.items()))
    finally:
        mf.stop()
        dc.stop()
    load1 = os.getloadavg()
    print()
    print(table(results, args))
    print()
    for s in ("MailFountain", "Dovecot"):
        r = results[s]
        extra = []
        if "tls" in r:
            extra.append(f"TLS {r['tls']}")
        if "processes" in r:
            extra.append(f"processes (idle, logged in, examined) {r['processes']}")
        if "fetch bytes" in r:
            extra.append(f"FETCH response {r['fetch bytes']:,} bytes")
        if extra:
            print(f"{s}: " + "; ".join(extra))
    print(f"load average (1 min) before {load0[0]:.2f}, after {load1[0]:.2f}; "
          f"{os.cpu_count()} CPUs")
    print(f"dovecot {servers.version('dovecot')}; logs in {args.scratch}")
    if args.command:
        print(f"command: {args.command}")
    else:
        print("command: " + " ".join(shlex.quote(a) for a in sys.argv))


if __name__ == "__main__":
    main()
