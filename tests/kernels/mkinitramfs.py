#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkinitramfs.py OUT.cpio.gz SPEC...

Writes a gzip-compressed cpio archive in the "newc" format the kernel
unpacks into its rootfs. Needs neither root nor cpio(1): device nodes and
ownership are written into the archive, not created on disk. Each SPEC is
one entry, parent directories are added as needed:

  dir:PATH                  a directory (0755)
  file:PATH=SRC[:MODE]      a copy of the host file SRC (MODE in octal,
                            default: SRC's permission bits)
  link:PATH=TARGET          a symbolic link
  char:PATH=MAJOR,MINOR     a character device (0600)

The archive is deterministic: fixed mtime, uid 0, inode numbers in order.
"""
import gzip
import os
import stat
import sys


class Cpio:
    def __init__(self):
        self.out = bytearray()
        self.ino = 1
        self.seen = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join(
            "%08X" % v
            for v in (
                self.ino, mode, 0, 0, 1, 0, len(data), 0, 0,
                rdev[0], rdev[1], len(name_b), 0,
            )
        )
        self.ino += 1
        self.out += hdr.encode() + name_b
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += data
        self.out += b"\0" * (-len(self.out) % 4)

    def add(self, path, mode, data=b"", rdev=(0, 0)):
        path = path.strip("/")
        parts = path.split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in self.seen:
                self.seen.add(d)
                self._entry(d, stat.S_IFDIR | 0o755)
        if path in self.seen:
            if stat.S_ISDIR(mode):
                return
            sys.exit("mkinitramfs: %s given twice" % path)
        self.seen.add(path)
        self._entry(path, mode, data, rdev)

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return bytes(self.out)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    c = Cpio()
    for spec in argv[2:]:
        kind, _, rest = spec.partition(":")
        path, _, arg = rest.partition("=")
        if kind == "dir":
            c.add(path, stat.S_IFDIR | 0o755)
        elif kind == "file":
            src, _, mode = arg.partition(":")
            with open(src, "rb") as f:
                data = f.read()
            perm = int(mode, 8) if mode else stat.S_IMODE(os.stat(src).st_mode)
            c.add(path, stat.S_IFREG | perm, data)
        elif kind == "link":
            c.add(path, stat.S_IFLNK | 0o777, arg.encode())
        elif kind == "char":
            major, minor = (int(x) for x in arg.split(","))
            c.add(path, stat.S_IFCHR | 0o600, rdev=(major, minor))
        else:
            sys.exit("mkinitramfs: bad entry %r" % spec)
    data = c.finish()
    tmp = argv[1] + ".tmp"
    with open(tmp, "wb") as f:
        # level 6 and mtime 0: fast, and the same bytes for the same input
        f.write(gzip.compress(data, compresslevel=6, mtime=0))
    os.replace(tmp, argv[1])


if __name__ == "__main__":
    main(sys.argv)
