#!/usr/bin/env python3
"""Draws StandIn's toolbar icons (16/32/48/128 px PNG) with the standard library only.

The PNGs are committed; run this again only to change the artwork:
    python3 extension/icons/generate.py
A person silhouette on a rounded blue square, with a green "status" dot: someone standing in.
"""
import os
import struct
import zlib

SUPERSAMPLE = 4  # per axis; antialiasing by averaging a 4x4 grid per pixel
BLUE = (37, 99, 235)
WHITE = (255, 255, 255)
GREEN = (22, 163, 74)


def rounded_square(x, y, radius):
    """Inside test for the unit square [0,1]^2 with rounded corners."""
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def circle(x, y, cx, cy, r):
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(x, y):
    """Colour (r, g, b, a) of the point (x, y) in unit coordinates, painter's order."""
    if not rounded_square(x, y, 0.22):
        return (0, 0, 0, 0)
    colour = BLUE + (255,)
    head = circle(x, y, 0.44, 0.36, 0.15)
    shoulders = circle(x, y, 0.44, 0.86, 0.28) and y <= 0.80
    if head or shoulders:
        colour = WHITE + (255,)
    if circle(x, y, 0.76, 0.74, 0.17):  # white ring around the dot separates it from the body
        colour = WHITE + (255,)
    if circle(x, y, 0.76, 0.74, 0.12):
        colour = GREEN + (255,)
    return colour


def render(size):
    rows = []
    n = SUPERSAMPLE
    for py in range(size):
        row = bytearray([0])  # PNG filter type 0 (none) per scanline
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(n):
                for sx in range(n):
                    r, g, b, a = colour_at((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3] / (n * n)
            if acc[3]:
                rgb = [round(c / acc[3]) for c in acc[:3]]
            else:
                rgb = [0, 0, 0]
            row += bytes(rgb + [round(alpha)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, raw):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for size in (16, 32, 48, 128):
        path = os.path.join(here, f"icon-{size}.png")
        with open(path, "wb") as f:
            f.write(png(size, render(size)))
        print(path)


if __name__ == "__main__":
    main()
