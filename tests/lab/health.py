#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""health.py - a client of vxfwd's health listener for the lab's tests.

Plain sockets, so that each request is exactly what the test says (a
method, a size, connections that send nothing):

  health.py ADDR PORT get PATH            status line, headers, body
  health.py ADDR PORT method METHOD PATH  the same for another method
  health.py ADDR PORT big BYTES           a GET whose head is BYTES long
  health.py ADDR PORT idle N PATH         N idle connections, then GET PATH
  health.py ADDR PORT metric NAME K=V...  the value of one sample of /metrics

Prints "status N" first, then "header: value" lines and "body:" with the
body, or for `metric` the value alone.  Exit 1 with a reason on stderr
when the listener does not answer within --timeout seconds.
"""
import argparse
import re
import socket
import sys
import time


def exchange(addr, port, data, timeout):
    """Send data, read until the server closes; the raw answer."""
    s = socket.create_connection((addr, port), timeout=timeout)
    try:
        s.sendall(data)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)
    finally:
        s.close()


def parse(raw):
    """(status, {header: value}, body) of an HTTP/1.x answer."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("answer without an end of head: %r" % raw[:200])
    lines = head.decode("latin-1").split("\r\n")
    m = re.fullmatch(r"HTTP/1\.[01] (\d{3}) .*", lines[0])
    if not m:
        raise ValueError("bad status line %r" % lines[0])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers and int(headers["content-length"]) != len(body):
        raise ValueError("Content-Length %s, body %d bytes" % (headers["content-length"], len(body)))
    return int(m.group(1)), headers, body


def request(method, path, extra=b""):
    return (b"%s %s HTTP/1.1\r\nHost: sensor\r\nUser-Agent: vxfwd-lab\r\n%s\r\n"
            % (method.encode(), path.encode(), extra))


def show(status, headers, body):
    print("status %d" % status)
    for k, v in sorted(headers.items()):
        print("%s: %s" % (k, v))
    print("body:")
    sys.stdout.write(body.decode("utf-8", "replace"))


def cmd_get(a):
    show(*parse(exchange(a.addr, a.port, request("GET", a.path), a.timeout)))


def cmd_method(a):
    show(*parse(exchange(a.addr, a.port, request(a.verb, a.path, b"Content-Length: 0\r\n"),
                         a.timeout)))


def cmd_big(a):
    filler = b"X-Filler: " + b"a" * max(0, a.bytes - 80) + b"\r\n"
    data = request("GET", "/healthz", filler)
    try:
        raw = exchange(a.addr, a.port, data, a.timeout)
    except (ConnectionResetError, BrokenPipeError) as e:
        print("status reset (%s)" % e.__class__.__name__)
        return
    show(*parse(raw))


def cmd_idle(a):
    idle = []
    try:
        for _ in range(a.n):
            idle.append(socket.create_connection((a.addr, a.port), timeout=a.timeout))
        t0 = time.monotonic()
        status, headers, body = parse(exchange(a.addr, a.port, request("GET", a.path),
                                               a.timeout))
        print("elapsed %.3f" % (time.monotonic() - t0))
        show(status, headers, body)
    finally:
        for s in idle:
            s.close()


def cmd_metric(a):
    status, headers, body = parse(exchange(a.addr, a.port, request("GET", "/metrics"),
                                           a.timeout))
    if status != 200:
        sys.exit("metrics: status %d" % status)
    want = dict(kv.split("=", 1) for kv in a.labels)
    found = []
    for line in body.decode().splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)", line)
        if not m:
            sys.exit("metrics: not a sample line: %r" % line)
        labels = dict(re.findall(r'([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if m.group(1) == a.name and all(labels.get(k) == v for k, v in want.items()):
            found.append(m.group(3))
    if len(found) != 1:
        sys.exit("metrics: %d samples of %s %s" % (len(found), a.name, want))
    print(found[0])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=10)
    p.add_argument("addr")
    p.add_argument("port", type=int)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("get")
    s.add_argument("path")
    s.set_defaults(fn=cmd_get)
    s = sub.add_parser("method")
    s.add_argument("verb")
    s.add_argument("path")
    s.set_defaults(fn=cmd_method)
    s = sub.add_parser("big")
    s.add_argument("bytes", type=int)
    s.set_defaults(fn=cmd_big)
    s = sub.add_parser("idle")
    s.add_argument("n", type=int)
    s.add_argument("path")
    s.set_defaults(fn=cmd_idle)
    s = sub.add_parser("metric")
    s.add_argument("name")
    s.add_argument("labels", nargs="*")
    s.set_defaults(fn=cmd_metric)
    a = p.parse_args()
    try:
        a.fn(a)
    except (OSError, ValueError) as e:
        sys.exit("health: %s:%d: %s" % (a.addr, a.port, e))


if __name__ == "__main__":
    main()
