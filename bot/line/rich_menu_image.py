"""Draw the rich menu's PNG once at build time (`python -m bot.line.rich_menu_image`)."""

from __future__ import annotations

from pathlib import Path

from bot.line.rich_menu import HEIGHT, IMAGE, MENU, WIDTH

BACKGROUND = (246, 248, 250)
TILE = (255, 255, 255)
INK = (6, 80, 48)
ACCENT = (6, 199, 85)  # LINE green
ICONS = ("▶", "◎", "×", "■")


def draw(path: Path = IMAGE) -> Path:
    """Four labelled tiles, one per menu area, written to `path` as an optimised PNG."""
    from matplotlib_fontja import get_font_ttf_path
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(get_font_ttf_path(), 104)
    small = ImageFont.truetype(get_font_ttf_path(), 150)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    width = WIDTH // len(MENU)
    for index, ((_, label), icon) in enumerate(zip(MENU, ICONS, strict=True)):
        left = index * width
        pen.rounded_rectangle(
            (left + 24, 24, left + width - 24, HEIGHT - 24),
            radius=48,
            fill=TILE,
            outline=ACCENT,
            width=8,
        )
        centre = left + width // 2
        pen.text((centre, HEIGHT // 2 - 110), icon, font=small, fill=ACCENT, anchor="mm")
        pen.text((centre, HEIGHT // 2 + 150), label, font=font, fill=INK, anchor="mm")
    image = image.quantize(colors=32)
    image.save(path, format="PNG", optimize=True)
    return path


if __name__ == "__main__":
    print(draw())
