"""Draw the demo campaigns' images (crowdfund/demo_content/*.png): flat-colour
illustrations of a few shapes each, written as palette PNGs with zlib and struct alone, so
that nothing is downloaded and the same bytes (and so the same CIDs) come out every time.

    .venv/bin/python tools/demo_images.py     # rewrites the PNGs; commit them
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "crowdfund" / "demo_content"
WIDTH, HEIGHT = 640, 360  # 16:9, what a campaign card shows

Colour = tuple[int, int, int]
Point = tuple[float, float]


class Canvas:
    """A palette image: each pixel an index into the colours used so far."""

    def __init__(self, background: Colour) -> None:
        self.palette: list[Colour] = [background]
        self.pixels = bytearray(WIDTH * HEIGHT)

    def _index(self, colour: Colour) -> int:
        if colour not in self.palette:
            self.palette.append(colour)
        return self.palette.index(colour)

    def _span(self, y: int, x0: float, x1: float, index: int) -> None:
        if not 0 <= y < HEIGHT:
            return
        start, end = max(0, math.ceil(x0 - 0.5)), min(WIDTH, math.floor(x1 - 0.5) + 1)
        if start < end:
            row = y * WIDTH
            self.pixels[row + start : row + end] = bytes([index]) * (end - start)

    def rect(self, x0: float, y0: float, x1: float, y1: float, colour: Colour) -> None:
        self.polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], colour)

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, colour: Colour) -> None:
        index = self._index(colour)
        for y in range(max(0, int(cy - ry)), min(HEIGHT, int(cy + ry) + 1)):
            dy = (y + 0.5 - cy) / ry
            if abs(dy) <= 1:
                half = rx * math.sqrt(1 - dy * dy)
                self._span(y, cx - half, cx + half, index)

    def circle(self, cx: float, cy: float, r: float, colour: Colour) -> None:
        self.ellipse(cx, cy, r, r, colour)

    def polygon(self, points: Sequence[Point], colour: Colour) -> None:
        """Filled by the even-odd rule, row by row at pixel centres."""
        index = self._index(colour)
        ys = [p[1] for p in points]
        for y in range(max(0, int(min(ys))), min(HEIGHT, int(max(ys)) + 1)):
            centre = y + 0.5
            crossings = sorted(
                x0 + (centre - y0) * (x1 - x0) / (y1 - y0)
                for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True)
                if (y0 <= centre) != (y1 <= centre)
            )
            for left, right in zip(crossings[::2], crossings[1::2], strict=True):
                self._span(y, left, right, index)

    def line(self, a: Point, b: Point, width: float, colour: Colour) -> None:
        """A thick straight line with round ends."""
        (x0, y0), (x1, y1) = a, b
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        nx, ny = -(y1 - y0) / length * width / 2, (x1 - x0) / length * width / 2
        self.polygon([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], colour)
        self.circle(x0, y0, width / 2, colour)
        self.circle(x1, y1, width / 2, colour)

    def ring(self, cx: float, cy: float, r: float, width: float, colour: Colour, inside: Colour) -> None:
        self.circle(cx, cy, r, colour)
        self.circle(cx, cy, r - width, inside)

    def png(self) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        # Colour type 3 (palette), 8 bits an index; every row starts with filter 0 (none).
        header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 3, 0, 0, 0)
        rows = b"".join(b"\x00" + bytes(self.pixels[y * WIDTH : (y + 1) * WIDTH]) for y in range(HEIGHT))
        palette = b"".join(bytes(c) for c in self.palette)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"PLTE", palette)
            + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b"")
        )


INK = (38, 38, 52)
PAPER = (250, 247, 238)
WHITE = (255, 255, 255)


def zine_printing_run(c: Canvas) -> None:
    c.rect(0, 250, WIDTH, HEIGHT, (233, 180, 76))  # the table
    for i, (x, y) in enumerate(((150, 70), (200, 90), (250, 110))):
        c.rect(x + 8, y + 8, x + 188, y + 238, (120, 84, 40))  # shadow
        c.rect(x, y, x + 180, y + 230, PAPER if i < 2 else WHITE)
    c.rect(272, 132, 410, 200, (231, 76, 60))  # the cover's picture
    c.circle(341, 166, 24, (255, 214, 102))
    for k in range(6):
        c.rect(272, 215 + k * 16, 410 - (k % 3) * 24, 222 + k * 16, INK)
    c.line((470, 60), (540, 300), 14, (52, 152, 219))  # a pen
    c.polygon([(533, 296), (547, 292), (545, 318)], INK)


def zine_first_copies(c: Canvas) -> None:
    c.rect(0, 270, WIDTH, HEIGHT, (233, 180, 76))
    for stack, x in enumerate((90, 260, 430)):
        for k in range(9 - stack * 2):
            c.rect(x, 250 - k * 14, x + 130, 262 - k * 14, PAPER if k % 2 else (231, 76, 60))
        c.rect(x + 60, 250 - (9 - stack * 2) * 14, x + 70, 262, (160, 110, 60))  # the twine


def repair_cafe_tools(c: Canvas) -> None:
    c.circle(200, 190, 110, (255, 255, 255))  # a plate under the cup
    c.rect(130, 130, 260, 260, (192, 57, 43))  # the cup
    c.ring(275, 190, 38, 14, (192, 57, 43), (255, 255, 255))
    c.rect(130, 130, 260, 146, (236, 240, 241))
    c.line((360, 290), (520, 110), 26, (127, 140, 141))  # a wrench
    c.circle(528, 100, 38, (127, 140, 141))
    c.polygon([(510, 72), (540, 62), (560, 96), (530, 110)], (22, 160, 133))
    c.line((380, 100), (560, 280), 12, (241, 196, 15))  # a screwdriver
    c.line((380, 100), (430, 150), 26, INK)


def bike_workshop(c: Canvas) -> None:
    frame, tyre = (231, 76, 60), INK
    back, front = (190, 240), (450, 240)
    c.rect(0, 315, WIDTH, HEIGHT, (149, 165, 166))  # the floor
    c.ring(*back, 85, 14, tyre, (214, 234, 248))
    c.ring(*front, 85, 14, tyre, (214, 234, 248))
    crank, seat, head = (300, 240), (270, 130), (420, 130)
    for a, b in ((back, crank), (crank, seat), (seat, back), (seat, head), (head, crank), (head, front)):
        c.line(a, b, 12, frame)
    c.line((250, 112), (300, 112), 14, INK)  # the saddle
    c.line((410, 100), (455, 100), 12, INK)  # the handlebar
    c.line((420, 130), (425, 100), 10, frame)
    c.circle(*crank, 16, (127, 140, 141))
    c.circle(*back, 8, (127, 140, 141))
    c.circle(*front, 8, (127, 140, 141))


def community_garden(c: Canvas) -> None:
    c.circle(540, 70, 42, (255, 214, 10))  # the sun
    c.rect(0, 210, WIDTH, HEIGHT, (120, 180, 90))  # the grass
    for x in (40, 240, 440):
        c.rect(x, 230, x + 160, 300, (141, 94, 56))  # a raised bed
        c.rect(x + 8, 236, x + 152, 252, (93, 64, 40))
        for k in range(4):
            px = x + 24 + k * 38
            c.line((px, 236), (px, 190), 6, (39, 174, 96))
            c.circle(px, 180 - (k % 2) * 10, 16 + (k % 2) * 4, (46, 204, 113) if k % 3 else (231, 76, 60))


def garden_first_beds(c: Canvas) -> None:
    c.rect(0, 180, WIDTH, HEIGHT, (120, 180, 90))
    for x in (60, 360):
        c.rect(x, 200, x + 220, 310, (141, 94, 56))
        c.rect(x + 10, 210, x + 210, 240, (93, 64, 40))
        for k in range(5):
            px = x + 30 + k * 40
            c.line((px, 214), (px, 196), 4, (39, 174, 96))
            c.ellipse(px - 7, 192, 8, 4, (46, 204, 113))
            c.ellipse(px + 7, 190, 8, 4, (46, 204, 113))
    c.line((300, 320), (330, 120), 8, (160, 110, 60))  # a spade
    c.polygon([(318, 112), (346, 116), (350, 70), (326, 64)], (127, 140, 141))


def film_night(c: Canvas) -> None:
    for k in range(40):  # stars, where a formula puts them
        c.circle((k * 151) % WIDTH, (k * 97) % 170, 2 + k % 2, (253, 246, 199))
    c.circle(570, 60, 30, (253, 246, 199))  # the moon
    c.circle(582, 52, 28, (27, 38, 79))
    c.line((150, 80), (150, 300), 8, (127, 140, 141))  # the screen's poles
    c.line((490, 80), (490, 300), 8, (127, 140, 141))
    c.rect(140, 60, 500, 230, WHITE)
    c.polygon([(220, 200), (300, 110), (360, 170), (400, 130), (470, 200)], (142, 68, 173))
    c.rect(0, 300, WIDTH, HEIGHT, (20, 60, 40))  # the lawn
    for k in range(9):  # the audience
        x = 40 + k * 70
        c.circle(x, 300, 22, (10, 14, 30))
        c.rect(x - 26, 310, x + 26, HEIGHT, (10, 14, 30))


def tool_library(c: Canvas) -> None:
    c.rect(40, 30, 600, 330, (222, 184, 135))  # the pegboard
    for x in range(60, 600, 30):
        for y in range(50, 330, 30):
            c.circle(x, y, 3, (160, 120, 80))
    c.line((120, 90), (120, 280), 16, (160, 110, 60))  # a hammer
    c.rect(80, 70, 165, 110, INK)
    c.polygon([(220, 90), (380, 90), (380, 110), (220, 170)], (189, 195, 199))  # a saw
    c.rect(380, 80, 420, 120, (192, 57, 43))
    c.rect(440, 170, 540, 220, (243, 156, 18))  # a drill
    c.rect(470, 220, 500, 290, (243, 156, 18))
    c.line((440, 195), (395, 195), 8, INK)
    c.line((200, 250), (330, 250), 10, (52, 152, 219))  # a spanner
    c.ring(200, 250, 20, 8, (52, 152, 219), (222, 184, 135))


# What each image shows; the name is the file's, and the documents name the files.
DRAWINGS: dict[str, tuple[Colour, Callable[[Canvas], None]]] = {
    "zine-printing-run": ((255, 236, 179), zine_printing_run),
    "zine-first-copies": ((255, 236, 179), zine_first_copies),
    "repair-cafe-tools": ((26, 188, 156), repair_cafe_tools),
    "neighbourhood-bike-workshop": ((214, 234, 248), bike_workshop),
    "community-garden": ((174, 214, 241), community_garden),
    "garden-first-beds": ((174, 214, 241), garden_first_beds),
    "open-air-film-night": ((27, 38, 79), film_night),
    "makerspace-tool-library": ((236, 240, 241), tool_library),
}


def main() -> None:
    for name, (background, draw) in DRAWINGS.items():
        canvas = Canvas(background)
        draw(canvas)
        data = canvas.png()
        (OUT / f"{name}.png").write_bytes(data)
        print(f"{name}.png: {len(data):,} bytes")


if __name__ == "__main__":
    main()
