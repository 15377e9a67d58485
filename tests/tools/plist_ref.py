#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""plist_ref.py - the reference tests/61-plist.bats holds build/xfplist
against: Python's ipaddress, and the generator of its test sets.

  plist_ref.py gen SEED N4 N6     N4 IPv4 and N6 IPv6 prefixes, lengths
                                  0/1 .. 32/128 weighted toward long ones,
                                  overlapping, with siblings to merge,
                                  duplicates and a few comments
  plist_ref.py around SEED FILE   prefixes in, over, the same as and next
                                  to a quarter of FILE's, to subtract
  plist_ref.py merge FILE         collapse_addresses() per family
  plist_ref.py union FILE1 FILE2  collapse_addresses(FILE1 + FILE2)
  plist_ref.py minus FILE1 FILE2  FILE1 - FILE2 by address_exclude()
  plist_ref.py same REF OUT       exit 0 when both files hold the same
                                  prefixes in the same order (compared as
                                  ipaddress networks), else print where
                                  they differ and exit 1

Output: one prefix a line, IPv4 then IPv6, in address order.
"""
import bisect
import ipaddress
import random
import sys


def read(path):
    """The networks of a blocklist file, per family."""
    v4, v6 = [], []
    with open(path, encoding="ascii") as f:
        for line in f:
            word = line.split("#")[0].split(";")[0].strip()
            if word:
                net = ipaddress.ip_network(word)
                (v4 if net.version == 4 else v6).append(net)
    return v4, v6


def collapse(nets):
    return list(ipaddress.collapse_addresses(nets))


def minus(a, b):
    """a - b, both collapsed (sorted, disjoint), by address_exclude()."""
    out = []
    starts = [n.network_address for n in b]
    for net in a:
        i = bisect.bisect_right(starts, net.network_address)
        if i and net.subnet_of(b[i - 1]):
            continue  # a supernet in b takes all of it
        pieces = [net]
        for k in range(bisect.bisect_left(starts, net.network_address),
                       len(b)):
            sub = b[k]
            if sub.network_address > net.broadcast_address:
                break
            pieces = [q for p in pieces for q in
                      (p.address_exclude(sub) if sub.subnet_of(p) else
                       [] if p.subnet_of(sub) else [p])]
        out.extend(pieces)
    return collapse(out)


def show(v4, v6):
    sys.stdout.write("".join(f"{n}\n" for n in v4 + v6))


def prefix(rnd, bits, length, base=0, base_len=1):
    """A random network of `length` bits inside base/base_len (the lower
    half of the family by default)."""
    addr = base | (rnd.getrandbits(bits) & ((1 << (bits - base_len)) - 1))
    return addr & ~((1 << (bits - length)) - 1)


def length_of(rnd, bits, hot_len):
    """Mostly hosts and small blocks, a few larger ones, rarely a block
    larger than a hot block."""
    r = rnd.random()
    if r < 0.001:
        return rnd.randint(hot_len - 8, hot_len - 1)
    if r < 0.03:
        return rnd.randint(hot_len, bits - 9)
    return max(bits - 8, bits - int(abs(rnd.gauss(0, 3))))


def family(rnd, n, bits, hot_len, hot_n):
    """n prefixes of one family as (address, length): mostly in hot_n hot
    blocks (/hot_len) of the lower half; one of each length 2 ..
    hot_len - 9 in the upper half (where they do not swallow the rest)."""
    hot = [prefix(rnd, bits, hot_len) for _ in range(hot_n)]
    top = 1 << (bits - 1)
    out = [(top | prefix(rnd, bits, ln), ln) for ln in range(2, hot_len - 8)]
    while len(out) < n:
        kind = rnd.random()
        if kind < 0.03:                          # a duplicate
            out.append(rnd.choice(out))
            continue
        length = length_of(rnd, bits, hot_len)
        base = rnd.choice(hot) if length >= hot_len else 0
        base_len = hot_len if length >= hot_len else 1
        if kind < 0.25:                          # siblings: all of a block
            up = max(base_len, length - rnd.randint(1, 4))
            net = prefix(rnd, bits, up, base, base_len)
            for k in range(1 << (length - up)):
                out.append((net | k << (bits - length), length))
        elif kind < 0.95:                        # inside a hot block
            out.append((prefix(rnd, bits, length, base, base_len), length))
        else:                                    # anywhere
            out.append((prefix(rnd, bits, length, 0, 0), length))
    return out[:n]


def gen(seed, n4, n6):
    rnd = random.Random(seed)
    v4 = family(rnd, n4, 32, 20, max(1, n4 // 100))
    v6 = family(rnd, n6, 128, 64, max(1, n6 // 100))
    lines = [f"{ipaddress.IPv4Address(a)}/{ln}" for a, ln in v4]
    lines += [f"{ipaddress.IPv6Address(a)}/{ln}" for a, ln in v6]
    rnd.shuffle(lines)
    for i in range(0, len(lines), 997):
        lines[i] += " ; listed"
    sys.stdout.write("# generated\n" + "\n".join(lines) + "\n")


def around(seed, path):
    rnd = random.Random(seed)
    v4, v6 = read(path)
    out = []
    for net in v4 + v6:
        r = rnd.random()
        bits = net.max_prefixlen
        if r < 0.12 and net.prefixlen < bits:    # a hole in it
            out.append(rnd.choice(list(net.subnets(
                min(bits - net.prefixlen, rnd.randint(1, 4))))))
        elif r < 0.17:                           # itself
            out.append(net)
        elif r < 0.21 and net.prefixlen >= bits // 2:  # all around it
            out.append(net.supernet(rnd.randint(1, 3)))
        elif r < 0.25:                           # its neighbour
            size = net.num_addresses
            addr = int(net.network_address) ^ size
            out.append(ipaddress.ip_network((addr, net.prefixlen)))
    rnd.shuffle(out)
    sys.stdout.write("".join(f"{n}\n" for n in out))


def words(path):
    """The prefix words of a file, as read() takes them."""
    with open(path, encoding="ascii") as f:
        return [w for w in (line.split("#")[0].split(";")[0].strip()
                            for line in f) if w]


def same(ref, out):
    """Line by line; only words that differ as text are parsed."""
    a, b = words(ref), words(out)
    index = {4: 0, 6: 0}
    for x, y in zip(a + [None], b + [None]):
        if x == y:
            if x is None:
                return 0
            index[6 if ":" in x else 4] += 1
            continue
        nx = ipaddress.ip_network(x) if x else None
        ny = ipaddress.ip_network(y) if y else None
        if nx != ny:
            fam = (nx or ny).version
            print(f"IPv{fam} prefix {index[fam]}: expected {nx}, got {ny}",
                  file=sys.stderr)
            return 1
        index[nx.version] += 1
    return 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "gen" and len(argv) == 5:
        gen(int(argv[2]), int(argv[3]), int(argv[4]))
    elif cmd == "around" and len(argv) == 4:
        around(int(argv[2]), argv[3])
    elif cmd == "merge" and len(argv) == 3:
        v4, v6 = read(argv[2])
        show(collapse(v4), collapse(v6))
    elif cmd in ("union", "minus") and len(argv) == 4:
        (a4, a6), (b4, b6) = read(argv[2]), read(argv[3])
        if cmd == "union":
            show(collapse(a4 + b4), collapse(a6 + b6))
        else:
            a4, a6, b4, b6 = map(collapse, (a4, a6, b4, b6))
            show(minus(a4, b4), minus(a6, b6))
    elif cmd == "same" and len(argv) == 4:
        return same(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
