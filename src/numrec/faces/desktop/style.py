"""How the drawing window looks: sizes at 96 dpi (scaled on HiDPI), type and colours."""

from __future__ import annotations

# Padding around the canvas and panels, in pixels at 96 dpi (scaled on HiDPI).
PAD = 12
# The 28x28 image the model saw is shown this many times larger.
ZOOM = 4
# Bar chart rows and width, in pixels at 96 dpi.
BAR_ROW, BAR_WIDTH = 22, 180
# The result in large type: this many points, for up to HEADLINE_FITS characters.
HEADLINE_PT, HEADLINE_FITS, HEADLINE_MIN_PT = 56, 3, 16
# Colours: ink on white paper, a light grey window, one accent for the top digit and boxes.
INK, PAPER, BACK, EDGE = "#111111", "#ffffff", "#f3f4f6", "#c9d1d9"
ACCENT, MUTED, TRACK, OTHER = "#1f6feb", "#57606a", "#e1e4e8", "#8c959f"
