#!/usr/bin/python3
"""MailFountain's DNS resolver (libmailfountain/dns/) against a real DNS server.

Each test class starts test_dns_server.py's server in-process on a free loopback port
(UDP and TCP) with zones/outbound.zone, runs resolve_tool (path in the RESOLVE_TOOL
environment variable) against it, and checks the routes it prints as JSON lines and the
queries the server counted:
  - MX order with fallback, hosts without address skipped, A and AAAA both returned;
  - NODATA → implicit MX; NXDOMAIN, null MX, no address → permanent;
  - SERVFAIL, REFUSED, a server that never answers → temporary;
  - CNAME chains and IP-literal MX targets; truncated UDP answers retried over TCP;
  - the cache: a second lookup is answered without a query; identical lookups in flight
    share their queries; equal preferences are shuffled;
  - cancel_all() and destruction end every lookup exactly once, with "cancelled".
"""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_dns_server import TestDnsServer  # noqa: E402

TOOL = os.environ.get("RESOLVE_TOOL", "")
ZONE = os.path.join(HERE, "zones", "outbound.zone")


class ResolverCase(unittest.TestCase):
    """Base: one DNS server per test class. Not collected as a ctest test itself."""

    @classmethod
    def setUpClass(cls):
        if not TOOL:
            raise AssertionError("RESOLVE_TOOL is not set")
        with open(ZONE) as f:
            cls.server = TestDnsServer(f.read()).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.server.reset_counts()

    def run_tool(self, *args, timeout_ms=1000, tries=2, expect_rc=0):
        cmd = [TOOL, "--server", "127.0.0.1:%d" % self.server.port,
               "--timeout-ms", str(timeout_ms), "--tries", str(tries)] + list(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, expect_rc, proc.stderr)
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        routes = [line for line in lines if "domain" in line]
        stats = [line["stats"] for line in lines if "stats" in line]
        return routes, (stats[0] if stats else None)

    def route(self, domain, *args, **kwargs):
        routes, _ = self.run_tool(*args, domain, **kwargs)
        self.assertEqual(len(routes), 1, routes)
        return routes[0]


class MxOrderTest(ResolverCase):
    def test_hosts_in_preference_order_and_host_without_address_skipped(self):
        r = self.route("ma-societe.test")
        self.assertEqual(r["kind"], "hosts")
        self.assertEqual([h["name"] for h in r["hosts"]],
                         ["mx1.ma-societe.test", "mx2.ma-societe.test"])  # mx3 has none
        self.assertEqual([h["preference"] for h in r["hosts"]], [10, 20])

    def test_a_and_aaaa_both_returned(self):
        r = self.route("ma-societe.test")
        mx1, mx2 = r["hosts"]
        self.assertEqual(mx1["addresses"], ["127.0.0.11", "::1"])
        self.assertEqual(mx2["addresses"], ["127.0.0.12"])
        self.assertEqual(self.server.count("mx1.ma-societe.test", "A"), 1)
        self.assertEqual(self.server.count("mx1.ma-societe.test", "AAAA"), 1)

    def test_route_ttl_is_the_smallest_used(self):
        # MX 300 s, mx1 300 s, mx2 600 s; the negative answers for mx1's absent records
        # are not used by the route.
        self.assertEqual(self.route("ma-societe.test")["ttl"], 300)

    def test_equal_preferences_are_shuffled_backup_stays_last(self):
        routes, _ = self.run_tool("--repeat", "24", "egal.test")
        self.assertEqual(len(routes), 24)
        firsts = set()
        for r in routes:
            names = [h["name"] for h in r["hosts"]]
            self.assertEqual(sorted(names[:2]), ["a.egal.test", "b.egal.test"])
            self.assertEqual(names[2], "secours.egal.test")
            firsts.add(names[0])
        self.assertEqual(firsts, {"a.egal.test", "b.egal.test"})


class ImplicitMxTest(ResolverCase):
    def test_nodata_for_mx_gives_the_domain_itself(self):
        r = self.route("implicite.test")
        self.assertEqual(r["kind"], "hosts")
        self.assertEqual(len(r["hosts"]), 1)
        host = r["hosts"][0]
        self.assertEqual(host["name"], "implicite.test")
        self.assertTrue(host["implicit"])
        self.assertEqual(host["addresses"], ["127.0.0.21", "::1"])
        # The NODATA answer's negative TTL (SOA: min(3600, 120)) bounds the route.
        self.assertEqual(r["ttl"], 120)

    def test_names_are_case_insensitive_and_may_end_with_a_dot(self):
        r = self.route("IMPLICITE.Test.")
        self.assertEqual(r["domain"], "implicite.test")
        self.assertEqual(r["kind"], "hosts")


class PermanentFailureTest(ResolverCase):
    def test_nxdomain_is_permanent(self):
        r = self.route("nexiste-pas.test")
        self.assertEqual(r["kind"], "no_such_domain")
        self.assertEqual(r["dsn"], "5.1.2")
        self.assertEqual(r["ttl"], 120)  # RFC 2308: min(SOA TTL 3600, MINIMUM 120)

    def test_null_mx_is_permanent(self):
        r = self.route("pas-de-mail.test")
        self.assertEqual(r["kind"], "null_mx")
        self.assertEqual(r["dsn"], "5.1.10")
        self.assertEqual(self.server.count("pas-de-mail.test", "A"), 0)

    def test_mx_host_without_address_is_permanent(self):
        r = self.route("sans-adresse.test")
        self.assertEqual(r["kind"], "no_address")
        self.assertEqual(r["dsn"], "5.4.4")

    def test_no_mx_and_no_address_is_permanent(self):
        r = self.route("vide.test")
        self.assertEqual(r["kind"], "no_address")

    def test_invalid_domain_is_refused_without_a_query(self):
        r = self.route("pas un domaine")
        self.assertEqual(r["kind"], "no_such_domain")
        self.assertEqual(sum(self.server.resolver.counts.values()), 0)


class TemporaryFailureTest(ResolverCase):
    def test_servfail_is_temporary(self):
        r = self.route("en-panne.test")
        self.assertEqual(r["kind"], "temp_fail")
        self.assertEqual(r["dsn"], "4.4.3")
        self.assertIn("SERVFAIL", r["reason"])

    def test_refused_is_temporary(self):
        r = self.route("refuse.test")
        self.assertEqual(r["kind"], "temp_fail")
        self.assertEqual(r["dsn"], "4.4.3")
        self.assertIn("REFUSED", r["reason"])

    def test_server_that_never_answers_times_out_temporarily(self):
        # 100 ms then 200 ms: c-ares gives up after two tries.
        r = self.route("muet.test", timeout_ms=100, tries=2)
        self.assertEqual(r["kind"], "temp_fail")
        self.assertIn("timeout", r["reason"])
        self.assertEqual(self.server.count("muet.test", "MX"), 2)


class CnameAndLiteralTest(ResolverCase):
    def test_mx_target_behind_a_cname_is_followed(self):
        r = self.route("alias.test")
        self.assertEqual(r["kind"], "hosts")
        self.assertEqual(r["hosts"][0]["name"], "mx.alias.test")
        self.assertEqual(r["hosts"][0]["addresses"], ["127.0.0.31"])

    def test_ip_literal_mx_target_is_used_without_lookup(self):
        r = self.route("numerique.test")
        self.assertEqual(r["kind"], "hosts")
        host = r["hosts"][0]
        self.assertTrue(host["numeric"])
        self.assertEqual(host["addresses"], ["127.0.0.41"])
        self.assertEqual(self.server.count("127.0.0.41"), 0)


class TruncationTest(ResolverCase):
    def test_truncated_udp_answer_is_retried_over_tcp(self):
        r = self.route("gros.test")
        self.assertEqual(r["kind"], "hosts")
        self.assertEqual(r["hosts"][0]["addresses"], ["127.0.0.51"])
        # Once over UDP (truncated), once over TCP.
        self.assertEqual(self.server.count("gros.test", "MX"), 2)


class CacheTest(ResolverCase):
    def test_second_lookup_is_answered_from_the_cache(self):
        routes, stats = self.run_tool("--repeat", "2", "ma-societe.test", "nexiste-pas.test")
        self.assertEqual(len(routes), 4)
        first = [r for r in routes if r["round"] == 1]
        second = [r for r in routes if r["round"] == 2]
        key = lambda r: r["domain"]  # noqa: E731
        for a, b in zip(sorted(first, key=key), sorted(second, key=key)):
            self.assertEqual(a["kind"], b["kind"])
            self.assertEqual(a["hosts"], b["hosts"])
        # One query per (name, type) for both rounds: the second came from the cache,
        # negative answers (NXDOMAIN, and mx3's) included.
        self.assertEqual(self.server.count("ma-societe.test", "MX"), 1)
        self.assertEqual(self.server.count("mx1.ma-societe.test", "A"), 1)
        self.assertEqual(self.server.count("mx3.ma-societe.test", "A"), 1)
        self.assertEqual(self.server.count("nexiste-pas.test", "MX"), 1)
        self.assertGreaterEqual(stats["cache_hits"], 8)

    def test_identical_lookups_in_flight_share_their_queries(self):
        routes, stats = self.run_tool("ma-societe.test", "ma-societe.test", "MA-SOCIETE.test")
        self.assertEqual(len(routes), 3)
        self.assertTrue(all(r["kind"] == "hosts" for r in routes))
        self.assertEqual(self.server.count("ma-societe.test", "MX"), 1)
        self.assertEqual(self.server.count("mx2.ma-societe.test", "A"), 1)


class CancelTest(ResolverCase):
    def test_cancel_all_ends_every_lookup_once_with_cancelled(self):
        routes, _ = self.run_tool("--cancel", "muet.test", "ma-societe.test", "pas un domaine",
                                  timeout_ms=5000)
        self.assertEqual(len(routes), 3)  # resolve_tool exits 3 if a callback ran twice
        by_domain = {r["domain"]: r for r in routes}
        for domain in ("muet.test", "ma-societe.test"):
            self.assertEqual(by_domain[domain]["kind"], "temp_fail")
            self.assertEqual(by_domain[domain]["reason"], "cancelled")

    def test_destruction_ends_every_lookup_once_with_cancelled(self):
        routes, _ = self.run_tool("--destroy", "muet.test", "alias.test", timeout_ms=5000)
        self.assertEqual(len(routes), 2)
        self.assertTrue(all(r["reason"] == "cancelled" for r in routes))


class ConfigTest(ResolverCase):
    def test_bad_server_entry_is_refused(self):
        proc = subprocess.run([TOOL, "--server", "dns.example.net", "x.test"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("DNS server 1", proc.stderr)


if __name__ == "__main__":
    unittest.main()
