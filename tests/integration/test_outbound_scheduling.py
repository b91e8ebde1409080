#!/usr/bin/python3
"""The delivery engine's scheduling (docs/outbound.md, "Scheduling"), observed from real
peers on loopback while the real daemon delivers, routed by MX records from a test DNS
server (tests/dns/test_dns_server.py):

- a slow destination (smtp-sink delaying its answer to DATA) does not hold up a fast one;
- a destination that answers 421 gets its mail deferred, and once it recovers (and
  `mfctl queue flush`) it is delivered, starting again from a single connection and
  growing back (the connections seen by a Python peer: how many were open at once);
- a per-destination rate limit spaces the transactions the peer sees;
- a sending domain with its own identity ([outbound.sending_domain."D"]) reaches the peer
  with its EHLO name, from its bind address, on connections of its own.
"""
import os
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dns"))
from outbound_harness import Peer, max_overlap, relay, zone  # noqa: E402
from smtp_harness import Daemon, DataDir  # noqa: E402
from test_dns_server import TestDnsServer  # noqa: E402
from test_outbound_connection import Sink  # noqa: E402

SLOW_DATA_DELAY = 5  # seconds smtp-sink waits before answering DATA on the slow peer


def tag():
    return uuid.uuid4().hex[:12]


class SchedulingTestCase(unittest.TestCase):
    """A DNS server for DOMAINS and a daemon sending each domain to the port that
    ports() names, with the extra `[outbound...]` configuration of EXTRA_CONFIG."""

    DOMAINS = ()
    EXTRA_CONFIG = ""

    @classmethod
    def start_peers(cls):
        """Starts the class's peers; returns {domain: port}."""
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        cls.dns = TestDnsServer(zone(cls.DOMAINS)).start()
        cls.addClassCleanup(cls.dns.stop)
        ports = cls.start_peers()
        port_lines = "".join(f'"{d}" = {p}\n' for d, p in ports.items())
        config = f"""trusted_networks = ["127.0.0.0/8"]
[outbound]
dns_servers = ["127.0.0.1:{cls.dns.port}"]
retry_initial_seconds = 60
[outbound.ports]
{port_lines}{cls.EXTRA_CONFIG}"""
        cls.data = DataDir.fresh(cls.addClassCleanup)
        cls.data.init()
        cls.daemon = Daemon(cls.data, config, roles=("smtp",)).start()
        cls.addClassCleanup(cls.daemon.kill)

    def log_line(self, qid, *fragments, timeout=30):
        """The first log line about `qid`'s recipient that contains every fragment."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.daemon.log_lines):
                if f"{qid}: to=<" in line and all(f in line for f in fragments):
                    return line
            time.sleep(0.05)
        self.fail(f"no log line for {qid} with {fragments} within {timeout}s:\n"
                  f"{self.daemon.log()}")


class SlowPeerTest(SchedulingTestCase):
    DOMAINS = ("slow.test", "fast.test")

    @classmethod
    def start_peers(cls):
        cls.slow = Sink(options=("-w", str(SLOW_DATA_DELAY)))
        cls.addClassCleanup(cls.slow.close)
        cls.fast = Sink()
        cls.addClassCleanup(cls.fast.close)
        return {"slow.test": cls.slow.port, "fast.test": cls.fast.port}

    def test_a_slow_destination_does_not_hold_up_a_fast_one(self):
        t = tag()
        slow_count, fast_count = 10, 10

        def arrived(sink):
            return sum(1 for m in sink.messages() if t in m)

        with self.daemon.smtp() as s:
            s.ehlo()
            for i in range(slow_count):
                relay(self.daemon, f"slow{i}@slow.test", f"{t} slow {i}", smtp=s)
            fast_start = time.monotonic()
            for i in range(fast_count):
                relay(self.daemon, f"fast{i}@fast.test", f"{t} fast {i}", smtp=s)
        deadline = fast_start + 30
        while arrived(self.fast) < fast_count and time.monotonic() < deadline:
            time.sleep(0.05)
        fast_took = time.monotonic() - fast_start
        slow_then = arrived(self.slow)
        print(f"fast destination: {fast_count} messages in {fast_took:.2f}s; the slow one had "
              f"{slow_then} of {slow_count} then", file=sys.stderr)
        self.assertEqual(arrived(self.fast), fast_count, self.daemon.log())
        # No slow transaction can end before SLOW_DATA_DELAY: if the fast mail waited for
        # a slow one, it could not all be there sooner.
        self.assertLess(fast_took, SLOW_DATA_DELAY - 1,
                        f"the fast destination was held up behind the slow one\n"
                        f"{self.daemon.log()}")
        self.assertLess(slow_then, slow_count, "the slow destination was not slow")
        deadline = time.monotonic() + 60
        while arrived(self.slow) < slow_count and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(arrived(self.slow), slow_count, self.daemon.log())


class ThrottlingPeerTest(SchedulingTestCase):
    DOMAINS = ("throttle.test",)
    EXTRA_CONFIG = """[outbound.limits.destination."throttle.test"]
initial_connections = 4
max_connections = 8
failures_before_dead = 3
dead_seconds = 1
"""

    @classmethod
    def start_peers(cls):
        cls.peer = Peer(dot_delay=0.3)
        cls.addClassCleanup(cls.peer.close)
        return {"throttle.test": cls.peer.port}

    def open_at(self, moment, since):
        """Connections (not 421-greeted) open at `moment`, among those since `since`."""
        with self.peer.lock:
            spans = [(o, c) for o, c, throttled in self.peer.connections
                     if not throttled and o >= since]
        return sum(1 for o, c in spans if o <= moment and (c is None or c >= moment))

    def accepted_spans(self, since):
        now = time.monotonic()
        with self.peer.lock:
            return [(o, c if c is not None else now) for o, c, throttled in self.peer.connections
                    if not throttled and o >= since]

    def test_a_421_defers_the_mail_and_the_destination_recovers_from_one_connection(self):
        # Healthy: several connections at once.
        t1 = tag()
        start = time.monotonic()
        with self.daemon.smtp() as s:
            s.ehlo()
            for i in range(16):
                relay(self.daemon, f"u{i}@throttle.test", f"{t1} {i}", smtp=s)
        self.assertEqual(len(self.peer.wait_for(t1, 16)), 16, self.daemon.log())
        before = max_overlap(self.accepted_spans(start))

        # Throttled: every connection is greeted with 421; the mail is deferred.
        self.peer.throttle = True
        t2 = tag()
        throttled_since = time.monotonic()
        with self.daemon.smtp() as s:
            s.ehlo()
            qids = [relay(self.daemon, f"v{i}@throttle.test", f"{t2} {i}", smtp=s)
                    for i in range(6)]
        for qid in qids:
            line = self.log_line(qid, "status=deferred")
            self.assertIn("421", line)
        self.assertEqual(self.peer.with_fragment(t2), [])
        throttled_connections = self.peer.connection_count(throttled=True)

        # Recovered: a flush makes the mail due now; it is delivered, from one connection.
        self.peer.throttle = False
        recovered_since = time.monotonic()
        self.data.ok("queue", "flush")
        delivered = self.peer.wait_for(t2, 6)
        self.assertEqual(len(delivered), 6, self.daemon.log())
        for qid in qids:
            self.log_line(qid, "status=sent")
        first = min(delivered, key=lambda tx: tx.mail_at)
        at_first = self.open_at(first.mail_at, recovered_since)
        after = max_overlap(self.accepted_spans(recovered_since))
        print(f"simultaneous connections: {before} at most before the 421s; "
              f"{throttled_connections} connections greeted with 421 "
              f"(over {recovered_since - throttled_since:.1f}s); {at_first} when the first "
              f"deferred message went out after recovery; {after} at most after",
              file=sys.stderr)
        self.assertGreaterEqual(before, 2, "a healthy destination should get several "
                                "connections at once")
        self.assertEqual(at_first, 1, "after 421s the destination should restart from a "
                         "single connection")
        self.assertGreaterEqual(after, 2, "the window should grow again once mail is "
                                "delivered")


class RateLimitTest(SchedulingTestCase):
    DOMAINS = ("rate.test",)
    EXTRA_CONFIG = """[outbound.limits.destination."rate.test"]
messages_per_minute = 120
"""
    SPACING = 0.5  # 60 / 120 seconds

    @classmethod
    def start_peers(cls):
        cls.peer = Peer()
        cls.addClassCleanup(cls.peer.close)
        return {"rate.test": cls.peer.port}

    def test_messages_to_a_rate_limited_destination_are_spaced(self):
        t = tag()
        count = 8
        start = time.monotonic()
        with self.daemon.smtp() as s:
            s.ehlo()
            for i in range(count):
                relay(self.daemon, f"r{i}@rate.test", f"{t} {i}", smtp=s)
        got = self.peer.wait_for(t, count, timeout=60)
        self.assertEqual(len(got), count, self.daemon.log())
        times = sorted(tx.mail_at for tx in got)
        gaps = [b - a for a, b in zip(times, times[1:])]
        total = times[-1] - times[0]
        print(f"rate: {count} messages over {total:.2f}s, gaps "
              + " ".join(f"{g:.3f}" for g in gaps), file=sys.stderr)
        # Slack for the wire and the threads: never less than 90% of the spacing.
        self.assertGreaterEqual(min(gaps), self.SPACING * 0.9, gaps)
        self.assertGreaterEqual(total, (count - 1) * self.SPACING * 0.95, gaps)
        # The window is capped at ceil(120 / 60) = 2 connections.
        self.assertLessEqual(max_overlap(self.peer.intervals(since=start)), 2)


class SendingIdentityTest(SchedulingTestCase):
    """ma-societe.fr's mail presents itself as mx-ms.example.test from 127.0.0.2; the rest
    keeps the general identity (the host name, from 127.0.0.1)."""

    DOMAINS = ("ident.test",)
    EXTRA_CONFIG = """[outbound.sending_domain."Ma-Societe.FR"]
helo_name = "mx-ms.example.test"
bind_address = "127.0.0.2"
"""

    @classmethod
    def start_peers(cls):
        cls.peer = Peer()
        cls.addClassCleanup(cls.peer.close)
        return {"ident.test": cls.peer.port}

    def test_a_sending_domain_uses_its_own_helo_name_address_and_connections(self):
        t = tag()
        relay(self.daemon, "a@ident.test", t + "-own", sender="jean@ma-societe.fr")
        relay(self.daemon, "b@ident.test", t + "-general", sender="someone@example.org")
        (own,) = self.peer.wait_for(t + "-own", 1)
        (general,) = self.peer.wait_for(t + "-general", 1)
        self.assertEqual(own.helo, "mx-ms.example.test")
        self.assertEqual(own.client, "127.0.0.2")
        self.assertNotEqual(general.helo, "mx-ms.example.test")
        self.assertEqual(general.client, "127.0.0.1")
        self.assertIsNot(own.conn, general.conn)


if __name__ == "__main__":
    unittest.main()
