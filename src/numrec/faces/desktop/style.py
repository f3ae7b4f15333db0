"""How the drawing window looks: sizes at 96 dpi (scaled on HiDPI), type and colours."""

from __future__ import annotations

# Padding around the canvas and panels, in pixels at 96 dpi (scaled on HiDPI).
PAD = 12
# The 28x28 image the model saw is shown this many times larger.
ZOOM = 4
# Bar chart rows and width, in pixels at 96 dpi; the panel is as wide as the chart and its labels.
BAR_ROW, BAR_WIDTH = 22, 180
PANEL_WIDTH = BAR_WIDTH + 80
# The result in large type: this many points, for up to HEADLINE_FITS characters.
HEADLINE_PT, HEADLINE_FITS, HEADLINE_MIN_PT = 56, 3, 16
# The plain-words line keeps this many lines of room, so the bars do not jump as it changes.
DETAIL_LINES = 3
# Number mode: one small preview per digit, at most THUMB pixels a side, shrinking to fit the panel.
THUMB, THUMB_MIN, THUMB_GAP = 56, 14, 10
# The row of digits that correct a reading: each button's inner padding and the gap between them.
TEACH_PAD, TEACH_GAP = 3, 2
# The canvas may shrink to this (pixels at 96 dpi) before the window refuses to get smaller.
MIN_CANVAS = (200, 150)
# How long a notice (saved, copied, cleared...) replaces the shortcut lines.
NOTICE_MS = 4000
# Colours: ink on white paper, a light grey window, one accent for the top digit and boxes.
INK, PAPER, BACK, EDGE = "#111111", "#ffffff", "#f3f4f6", "#c9d1d9"
ACCENT, MUTED, TRACK, OTHER = "#1f6feb", "#57606a", "#e1e4e8", "#8c959f"
