# SPDX-License-Identifier: GPL-2.0-only
"""Shared helpers of the lab's traffic tools: pcap I/O, checksums, the frame
fingerprint that ties a frame sent to the mirror source to the frame that
reaches the collector.

The parsers here are written from the RFCs on raw bytes, not with scapy, so
that the verifier does not share a decoder with the generator.
"""

import hashlib
import ipaddress
import json
import struct

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
IPPROTO_ICMPV6 = 58
# IPv6 extension headers walked to find the L4 header (hop-by-hop, options).
IPV6_OPTS = (0, 60)
ETH_P_ARP = 0x0806
ETH_P_8021Q = 0x8100
IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17

# Run marker: 4 fixed bytes, 4 bytes unique to the run, then a 32-bit
# sequence number, at the start of every generated L4 payload.
MARKER_MAGIC = b"VXFW"


def marker_bytes(marker_hex):
    return MARKER_MAGIC + bytes.fromhex(marker_hex)


def read_pcap_ts(path):
    """Yield (timestamp in seconds, frame) of each frame of a classic pcap
    file (either byte order, us or ns)."""
    with open(path, "rb") as f:
        hdr = f.read(24)
        if len(hdr) < 24:
            return
        magic = hdr[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            endian = ">"
        else:
            raise ValueError("%s: not a pcap file (magic %s)" % (path, magic.hex()))
        scale = 1e-9 if magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e-6
        linktype = struct.unpack(endian + "I", hdr[20:24])[0]
        if linktype != 1:
            raise ValueError("%s: link type %d, expected Ethernet" % (path, linktype))
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            sec, frac, caplen, wirelen = struct.unpack(endian + "IIII", rec)
            data = f.read(caplen)
            if len(data) < caplen:
                return
            if caplen != wirelen:
                raise ValueError("%s: frame captured %d of %d bytes; capture with -s 0"
                                 % (path, caplen, wirelen))
            yield sec + frac * scale, data


def read_pcap(path):
    """Yield the frames of a classic pcap file (either byte order, us or ns)."""
    for _, data in read_pcap_ts(path):
        yield data


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack("<IIII", i // 1000, (i % 1000) * 1000,
                                len(frame), len(frame)))
            f.write(frame)


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ipv6_l4(ip6):
    """(offset of the L4 header, protocol) of an IPv6 packet past hop-by-hop
    and destination options; offset None when the chain runs out."""
    tot = 40 + struct.unpack("!H", ip6[4:6])[0]
    nh, off = ip6[6], 40
    while nh in IPV6_OPTS:
        if off + 8 > tot or off + 8 > len(ip6):
            return None, nh
        nh, off = ip6[off], off + (ip6[off + 1] + 1) * 8
    return (off if off <= tot else None), nh


def ipv4_header_ok(ip):
    ihl = (ip[0] & 0x0F) * 4
    return csum16(ip[:ihl]) == 0xFFFF


def l4_csum_ok(ip):
    """True when the TCP/UDP checksum of this IPv4 or IPv6 packet verifies.
    A UDP checksum of 0 means 'none' and is reported as None (in IPv6 it is
    not allowed: the caller counts None as wrong)."""
    if ip[0] >> 4 == 6:
        off, proto = ipv6_l4(ip)
        seg = ip[off:40 + struct.unpack("!H", ip[4:6])[0]]
        if proto == IPPROTO_UDP and seg[6:8] == b"\0\0":
            return None
        pseudo = ip[8:40] + struct.pack("!IxxxB", len(seg), proto)
        return csum16(pseudo + seg) == 0xFFFF
    ihl = (ip[0] & 0x0F) * 4
    tot = struct.unpack("!H", ip[2:4])[0]
    proto = ip[9]
    seg = ip[ihl:tot]
    if proto == IPPROTO_UDP and seg[6:8] == b"\0\0":
        return None
    pseudo = ip[12:20] + struct.pack("!BBH", 0, proto, len(seg))
    return csum16(pseudo + seg) == 0xFFFF


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def ip_str(b):
    return ".".join(str(x) for x in b)


def fingerprint(ip):
    """Hash of an inner IPv4 packet without the fields DNAT may change:
    header checksum, destination address, L4 destination port and checksum.
    Everything else (source address and port, TTL, ID, options, payload)
    must arrive unchanged, so it is in the hash.  IPv6: the same without a
    header checksum; the hop limit and extension headers are in the hash."""
    if ip[0] >> 4 == 6:
        return fingerprint6(ip)
    ihl = (ip[0] & 0x0F) * 4
    tot = struct.unpack("!H", ip[2:4])[0]
    b = bytearray(ip[:tot])
    b[10:12] = b"\0\0"
    b[16:20] = b"\0\0\0\0"
    proto = b[9]
    if proto in (IPPROTO_UDP, IPPROTO_TCP) and len(b) >= ihl + 4:
        b[ihl + 2:ihl + 4] = b"\0\0"
    if proto == IPPROTO_UDP and len(b) >= ihl + 8:
        b[ihl + 6:ihl + 8] = b"\0\0"
    if proto == IPPROTO_TCP and len(b) >= ihl + 18:
        b[ihl + 16:ihl + 18] = b"\0\0"
    return hashlib.sha1(bytes(b)).hexdigest()


def fingerprint6(ip6):
    tot = 40 + struct.unpack("!H", ip6[4:6])[0]
    b = bytearray(ip6[:tot])
    b[24:40] = bytes(16)
    off, proto = ipv6_l4(ip6)
    if off is not None and proto in (IPPROTO_UDP, IPPROTO_TCP) and len(b) >= off + 4:
        b[off + 2:off + 4] = b"\0\0"
    if off is not None and proto == IPPROTO_UDP and len(b) >= off + 8:
        b[off + 6:off + 8] = b"\0\0"
    if off is not None and proto == IPPROTO_TCP and len(b) >= off + 18:
        b[off + 16:off + 18] = b"\0\0"
    return hashlib.sha1(bytes(b)).hexdigest()


def parse_inner6(frame):
    """Ethernet + IPv6 + TCP/UDP of a frame at the collector ("ttl": the hop
    limit, "ihl": the offset of the L4 header)."""
    ip = frame[14:]
    if len(ip) < 40 or ip[0] >> 4 != 6 or 40 + struct.unpack("!H", ip[4:6])[0] > len(ip):
        return {"malformed": True, "eth_src": mac_str(frame[6:12])}
    tot = 40 + struct.unpack("!H", ip[4:6])[0]
    off, proto = ipv6_l4(ip)
    d = {
        "malformed": False, "v6": True,
        "eth_dst": mac_str(frame[0:6]), "eth_src": mac_str(frame[6:12]),
        "ip": ip[:tot], "trailer": len(ip) - tot, "ihl": off, "proto": proto,
        "ttl": ip[7], "src": str(ipaddress.ip_address(ip[8:24])),
        "dst": str(ipaddress.ip_address(ip[24:40])),
        "sport": None, "dport": None, "payload": b"",
    }
    seg = ip[off:tot] if off is not None else b""
    if proto == IPPROTO_UDP and len(seg) >= 8:
        d["sport"], d["dport"] = struct.unpack("!HH", seg[:4])
        d["payload"] = seg[8:]
    elif proto == IPPROTO_TCP and len(seg) >= 20:
        d["sport"], d["dport"] = struct.unpack("!HH", seg[:4])
        d["payload"] = seg[(seg[12] >> 4) * 4:]
    return d


def parse_inner(frame):
    """Ethernet + IPv4 (or IPv6) + TCP/UDP of a frame at the collector, or
    None for other ethertypes."""
    if len(frame) < 14 + 20:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == ETH_P_IPV6:
        return parse_inner6(frame)
    if etype != ETH_P_IP:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    tot = struct.unpack("!H", ip[2:4])[0]
    if ip[0] >> 4 != 4 or ihl < 20 or tot < ihl or tot > len(ip):
        return {"malformed": True, "eth_src": mac_str(frame[6:12])}
    d = {
        "malformed": False,
        "eth_dst": mac_str(frame[0:6]),
        "eth_src": mac_str(frame[6:12]),
        "ip": ip[:tot],
        "trailer": len(ip) - tot,
        "ihl": ihl,
        "proto": ip[9],
        "ttl": ip[8],
        "src": ip_str(ip[12:16]),
        "dst": ip_str(ip[16:20]),
        "sport": None,
        "dport": None,
        "payload": b"",
    }
    seg = ip[ihl:tot]
    if d["proto"] == IPPROTO_UDP and len(seg) >= 8:
        d["sport"], d["dport"] = struct.unpack("!HH", seg[:4])
        d["payload"] = seg[8:]
    elif d["proto"] == IPPROTO_TCP and len(seg) >= 20:
        d["sport"], d["dport"] = struct.unpack("!HH", seg[:4])
        d["payload"] = seg[(seg[12] >> 4) * 4:]
    return d


def load_manifest(path):
    with open(path) as f:
        return json.load(f)


def save_manifest(path, manifest):
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
