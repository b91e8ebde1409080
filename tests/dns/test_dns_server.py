#!/usr/bin/python3
"""A small zone-file-driven DNS server for MailFountain's tests (Debian's python3-dnslib).

It answers like a recursive resolver would for the names of one zone file: records of the
type asked, CNAME chains followed inside the answer, NODATA and NXDOMAIN with the SOA of the
closest enclosing zone in the authority section (RFC 2308). It listens on UDP and TCP on the
same loopback port (TCP for answers truncated on purpose) and counts the queries it gets per
(name, type), so tests can prove that an answer came from a cache.

Zone file: master-file syntax as dnslib reads it ($ORIGIN, $TTL, @, relative names), plus
directives of our own that set how the server misbehaves for one name (absolute names):
    $SERVFAIL name.      answer SERVFAIL
    $REFUSED name.       answer REFUSED
    $DROP name.          never answer (a timeout for the client)
    $TRUNCATE name.      over UDP answer empty with the TC bit set; over TCP answer fully

As a program (for the outbound delivery tests and by hand):
    test_dns_server.py --zone FILE [--address 127.0.0.1] [--port 0]
prints "ready PORT" on stdout once both sockets listen, then serves until stdin is
closed or it gets SIGTERM. With --log, each query is written to stderr.

As a module: TestDnsServer(zone_text).start() in a test, .port, .count(name, type), .stop().
"""
import argparse
import collections
import os
import signal
import socket
import sys
import threading

from dnslib import CNAME, QTYPE, RCODE, RR, DNSLabel
from dnslib.server import BaseResolver, DNSError, DNSServer

DIRECTIVES = {"$SERVFAIL": "servfail", "$REFUSED": "refused", "$DROP": "drop",
              "$TRUNCATE": "truncate"}


def _key(name):
    """Lower-case, with one trailing dot."""
    text = str(name).lower()
    return text if text.endswith(".") else text + "."


class Zone:
    """The records of a zone file, indexed by owner name, and the misbehaviours."""

    def __init__(self, text):
        self.behaviour = {}
        plain = []
        for line in text.splitlines():
            words = line.split()
            if words and words[0].upper() in DIRECTIVES:
                if len(words) != 2:
                    raise ValueError("directive needs one name: " + line)
                self.behaviour[_key(words[1])] = DIRECTIVES[words[0].upper()]
            else:
                plain.append(line)
        self.records = collections.defaultdict(list)
        for rr in RR.fromZone("\n".join(plain) + "\n"):
            self.records[_key(rr.rname)].append(rr)

    def exists(self, name):
        """A name exists if it owns records or is an ancestor of a name that does."""
        if name in self.records:
            return True
        return any(owner.endswith("." + name) for owner in self.records)

    def soa_for(self, name):
        """The SOA record of the closest enclosing zone, or None."""
        labels = name.rstrip(".").split(".")
        for i in range(len(labels)):
            zone = ".".join(labels[i:]) + "."
            for rr in self.records.get(zone, []):
                if rr.rtype == QTYPE.SOA:
                    return rr
        return None


class _Drop(DNSError):
    """Raised to send no answer at all (dnslib's handler drops the query)."""


class ZoneResolver(BaseResolver):
    def __init__(self, zone, log=False):
        self.zone = zone
        self.log = log
        self.lock = threading.Lock()
        self.counts = collections.Counter()

    def resolve(self, request, handler):
        qname = _key(request.q.qname)
        qtype = request.q.qtype
        with self.lock:
            self.counts[(qname, QTYPE.get(qtype))] += 1
        if self.log:
            print("query %s %s %s" % (handler.protocol, qname, QTYPE.get(qtype)),
                  file=sys.stderr, flush=True)
        reply = request.reply()
        reply.header.ra = 1
        behaviour = self.zone.behaviour.get(qname)
        if behaviour == "drop":
            raise _Drop("dropped on purpose")
        if behaviour == "servfail":
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        if behaviour == "refused":
            reply.header.rcode = RCODE.REFUSED
            return reply
        if behaviour == "truncate" and handler.protocol == "udp":
            reply.header.tc = 1
            return reply

        current = qname
        for _ in range(8):  # CNAME chains, as a recursive server returns them
            owned = self.zone.records.get(current, [])
            found = [rr for rr in owned if rr.rtype == qtype]
            if found:
                for rr in found:
                    reply.add_answer(rr)
                return reply
            aliases = [rr for rr in owned if rr.rtype == QTYPE.CNAME]
            if aliases and qtype != QTYPE.CNAME:
                reply.add_answer(aliases[0])
                current = _key(aliases[0].rdata.label)
                continue
            break
        if not self.zone.exists(current):
            reply.header.rcode = RCODE.NXDOMAIN
        soa = self.zone.soa_for(current)
        if soa is not None:
            reply.add_auth(soa)
        return reply


class _QuietLogger:
    def __getattr__(self, name):
        return lambda *args: None


class TestDnsServer:
    """The server on one loopback port, UDP and TCP, in background threads."""

    __test__ = False  # not a unittest case, whatever a collector thinks of the name

    def __init__(self, zone_text, address="127.0.0.1", port=0, log=False):
        self.resolver = ZoneResolver(Zone(zone_text), log=log)
        self.address = address
        self.requested_port = port
        self.udp = None
        self.tcp = None
        self.port = None

    def start(self):
        # UDP first on the port asked (0: any free one), then TCP on the same number; a
        # free UDP port may be taken in TCP, so an ephemeral choice is retried.
        for _ in range(20):
            udp = DNSServer(self.resolver, address=self.address, port=self.requested_port,
                            logger=_QuietLogger())
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(self.resolver, address=self.address, port=port, tcp=True,
                                logger=_QuietLogger())
            except OSError:
                udp.server.server_close()
                if self.requested_port:
                    raise
                continue
            self.udp, self.tcp, self.port = udp, tcp, port
            udp.start_thread()
            tcp.start_thread()
            return self
        raise RuntimeError("no port free in both UDP and TCP")

    def stop(self):
        for server in (self.udp, self.tcp):
            if server is not None:
                server.stop()
                server.server.server_close()

    def count(self, name, rtype=None):
        """Queries received for `name` (and type "MX", "A", ... if given)."""
        name = _key(name)
        with self.resolver.lock:
            return sum(n for (qname, qtype), n in self.resolver.counts.items()
                       if qname == name and (rtype is None or qtype == rtype))

    def reset_counts(self):
        with self.resolver.lock:
            self.resolver.counts.clear()


def main():
    parser = argparse.ArgumentParser(description="Zone-file-driven test DNS server")
    parser.add_argument("--zone", required=True, help="zone file")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--log", action="store_true", help="log each query to stderr")
    args = parser.parse_args()
    with open(args.zone) as f:
        server = TestDnsServer(f.read(), args.address, args.port, log=args.log).start()
    print("ready %d" % server.port, flush=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    try:
        while sys.stdin.read(4096):
            pass
    except KeyboardInterrupt:
        pass
    server.stop()


if __name__ == "__main__":
    main()
