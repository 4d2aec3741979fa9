"""The presence heat map's colours stay apart for a red-green colour-blind reader (the old red gap and dark
green cells fell to a CIE76 difference of 11 under protanopia; the blues and vermillion keep 76 or more)."""

from __future__ import annotations

import pytest

from liaison.programs.charts import GAP, SHADES

# Viénot, Brettel and Mollon (1999): dichromat vision as a matrix on linear RGB.
SIMULATIONS = {
    "normal vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.11238, 0.88762, 0), (0.11238, 0.88762, 0), (0.00401, -0.00401, 1)),
    "deuteranopia": ((0.29275, 0.70725, 0), (0.29275, 0.70725, 0), (-0.02234, 0.02234, 1)),
}
CLEARLY_APART = 40  # CIE76 ΔE; about 2.3 is a just-noticeable difference


def _linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047
    y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(hex_colour: str, matrix: tuple[tuple[float, ...], ...]) -> tuple[float, float, float]:
    rgb = _linear(hex_colour)
    return _lab([min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in matrix])


def _difference(a: str, b: str, matrix: tuple[tuple[float, ...], ...]) -> float:
    return sum((p - q) ** 2 for p, q in zip(_seen(a, matrix), _seen(b, matrix), strict=True)) ** 0.5


@pytest.mark.parametrize("vision", SIMULATIONS)
def test_a_gap_stands_apart_from_every_shade_of_visits(vision):
    matrix = SIMULATIONS[vision]
    assert min(_difference(GAP, shade, matrix) for _, shade in SHADES) >= CLEARLY_APART


def test_the_old_red_and_green_palette_would_fail_this_test():
    old_gap, old_darkest_green = "#c62828", "#1b5e20"
    assert _difference(old_gap, old_darkest_green, SIMULATIONS["protanopia"]) < CLEARLY_APART
