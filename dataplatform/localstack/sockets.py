"""Which TCP ports a process tree listens on, from Linux's /proc: the stack's promise that every
service is reachable from this machine only (loopback) is checked, not assumed."""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"  # the TCP state column of /proc/net/tcp


@dataclass(frozen=True)
class Listener:
    address: str
    port: int
    pid: int

    @property
    def loopback(self) -> bool:
        address = ipaddress.ip_address(self.address)
        mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is loopback too
        return (mapped or address).is_loopback

    def __str__(self) -> str:
        return f"[{self.address}]:{self.port}" if ":" in self.address else f"{self.address}:{self.port}"


def _hex_address(text: str) -> str:
    """An address as /proc/net/tcp{,6} prints it (little-endian 32-bit words, hex)."""
    raw = bytes.fromhex(text)
    if len(raw) == 4:
        return socket.inet_ntoa(struct.pack("<I", int(text, 16)))
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def _listening_inodes() -> dict[str, tuple[str, int]]:
    """Socket inode -> (address, port) of every TCP socket in LISTEN state."""
    found = {}
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == LISTEN:
                address, port = fields[1].split(":")
                found[fields[9]] = (_hex_address(address), int(port, 16))
    return found


def descendants(pid: int) -> set[int]:
    """`pid` and every process below it (a service's launcher script and the JVM it starts)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                # The parent is the 4th field, after the command name in parentheses (which may hold spaces).
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = set(), [pid]
    while todo:
        current = todo.pop()
        tree.add(current)
        todo.extend(children.get(current, []))
    return tree


def listeners(pids: set[int]) -> list[Listener]:
    """The TCP ports the processes `pids` listen on."""
    inodes = _listening_inodes()
    found = []
    for pid in sorted(pids):
        try:
            fds = os.listdir(PROC / str(pid) / "fd")
        except OSError:  # gone, or not ours to look at
            continue
        for fd in fds:
            try:
                target = os.readlink(PROC / str(pid) / "fd" / fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                address, port = inodes[target[8:-1]]
                found.append(Listener(address, port, pid))
    return sorted(set(found), key=lambda x: (x.port, x.address))
