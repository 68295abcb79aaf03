"""static/img/favicon.ico, drawn from static/img/favicon.svg by Chromium at 16 and 32 px, once.

Browsers that take no SVG icon, and every crawler, ask for /favicon.ico (koki_site/core/
static_files.py serves this file there). Two 32-bit images with their alpha, stored as BMP, the
form every reader of ICO files knows. Run from the project root after changing the SVG, and
commit the ICO:
    .venv/bin/python bench/favicon_ico.py
"""

import base64
import struct
import sys
import zlib
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SVG = ROOT / "static" / "img" / "favicon.svg"
OUT = ROOT / "static" / "img" / "favicon.ico"
SIZES = (16, 32)


def screenshot(page, size):
    """The SVG drawn at size x size px on a transparent page, as PNG."""
    source = "data:image/svg+xml;base64," + base64.b64encode(SVG.read_bytes()).decode()
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(f'<body style="margin:0"><img src="{source}" width="{size}" height="{size}"></body>')
    page.wait_for_function("document.images[0].complete")
    return page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})


def rgba_rows(png):
    """The rows of an 8-bit RGBA PNG (Chromium's screenshots), each of width * 4 bytes."""
    width, height = struct.unpack(">II", png[16:24])
    assert png[24:29] == b"\x08\x06\x00\x00\x00", "not an 8-bit RGBA, non-interlaced PNG"
    data, position = b"", 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        if png[position + 4 : position + 8] == b"IDAT":
            data += png[position + 8 : position + 8 + length]
        position += length + 12
    raw, stride, rows = zlib.decompress(data), width * 4, []
    above = bytearray(stride)
    for y in range(height):
        kind, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):  # undo the PNG filter of this row
            left, up, corner = row[x - 4] if x >= 4 else 0, above[x], above[x - 4] if x >= 4 else 0
            guess = left + up - corner
            paeth = min(
                (abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner)
            )
            row[x] = (row[x] + (0, left, up, (left + up) // 2, paeth[2])[kind]) & 0xFF
        rows.append(bytes(row))
        above = row
    return rows


def bmp_image(rows):
    """One image of an ICO: its header (height doubled: colours, then mask), BGRA rows bottom-up,
    and the 1-bit mask (set where the pixel is fully transparent), each row padded to 4 bytes."""
    size = len(rows)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    colours, mask = bytearray(), bytearray()
    for row in reversed(rows):
        bits = bytearray(((size + 31) // 32) * 4)
        for x in range(size):
            red, green, blue, alpha = row[4 * x : 4 * x + 4]
            colours += bytes((blue, green, red, alpha))
            if alpha == 0:
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bits
    return header + colours + mask


def main():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(device_scale_factor=1)
        images = [(size, bmp_image(rgba_rows(screenshot(page, size)))) for size in SIZES]
        browser.close()
    directory = struct.pack("<HHH", 0, 1, len(images))  # reserved, 1 = icon, how many images
    offset = len(directory) + 16 * len(images)
    for size, image in images:  # width, height, no palette, planes, bits per pixel, length, where
        directory += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    OUT.write_bytes(directory + b"".join(image for _, image in images))
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
