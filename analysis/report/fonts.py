"""The report page's own Japanese font: a subset of the charts' font, embedded at report time.

The charts' font is IPAex Gothic (matplotlib-fontja). The IPA Font License v1.0 lets a document
embed the font for displaying its own text (Article 2.5, "Embedded Fonts"), so each page carries
only the glyphs it uses. Viewers whose browser refuses embedded fonts fall back to the Japanese
fonts Windows and macOS ship.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache

from fontTools import subset
from fontTools.ttLib import TTFont

from analysis.report.charts import font_path

EMBEDDED_FAMILY = "machikoe-report"
FALLBACK_FAMILIES: tuple[str, ...] = (
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Yu Gothic UI",
    "Yu Gothic",
    "YuGothic",
    "Meiryo",
    "Noto Sans JP",
    "IPAexGothic",
    "sans-serif",
)
FONT_NOTE = "文字の表示には IPAexゴシック（IPAフォントライセンスv1.0）の一部を埋め込んでいます。"


def font_stack() -> str:
    """The CSS font-family list: the embedded subset first, then Windows and macOS fonts."""
    quoted = [f'"{name}"' if name != "sans-serif" else name for name in FALLBACK_FAMILIES]
    return ", ".join([f'"{EMBEDDED_FAMILY}"', *quoted])


def font_face_css(text: str) -> str:
    """An @font-face rule with a WOFF subset covering every character of `text`."""
    return _font_face("".join(sorted(set(text))))


@lru_cache(maxsize=8)
def _font_face(characters: str) -> str:
    """The rule for one set of characters (reports often repeat theirs)."""
    data = base64.b64encode(subset_font(characters)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; font-display: swap; '
        f'src: url("data:font/woff;base64,{data}") format("woff"); }}'
    )


def subset_font(characters: str) -> bytes:
    """The charts' font reduced to these characters, as WOFF bytes."""
    options = subset.Options()
    options.flavor = "woff"
    font = TTFont(font_path())
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()
