"""Ordered tier colours: best tier dark green, through amber, to the worst tier dark red.

Every scheme orders its tiers best first (:func:`tierkit.tiers.schemes.tier_order`; clusters
by number, 0 = most valuable), so one colour scale serves them all and the colour of a tier
says where it stands: the charts and the report's tier tables use the same colours. Tiers
that are not a rank (``unrated`` customers without a survey answer, ``potential`` customers
who never bought) are grey.
"""

from __future__ import annotations

from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb

#: The stops of the scale, best to worst: dark green, light green, amber, orange red, dark red.
STOPS = ("#1a7f4b", "#7cb95c", "#e8b13a", "#d9663f", "#a3262a")
#: Colour of the tiers outside the order.
NEUTRAL = "#9e9e9e"
#: Tier keys that are not a rank.
NEUTRAL_KEYS = frozenset({"unrated", "potential"})

_SCALE = LinearSegmentedColormap.from_list("tierkit_best_to_worst", STOPS)


def ordered_colors(n: int) -> list[str]:
    """``n`` colours from best (dark green) to worst (dark red), as hex strings.

    Examples
    --------
    >>> ordered_colors(3)
    ['#1a7f4b', '#e8b03a', '#a3262a']
    >>> ordered_colors(1)
    ['#1a7f4b']
    """
    if n <= 1:
        return [STOPS[0]] * max(n, 0)
    return [to_hex(_SCALE(i / (n - 1))) for i in range(n)]


def tier_colors(keys) -> dict:
    """Tier key -> colour for tiers in best-first order; tiers outside the order are grey.

    Parameters
    ----------
    keys : sequence
        Tier keys, best first (the tiers shown, e.g. from
        :func:`tierkit.reporting.charts._common.tiers_for`).

    Returns
    -------
    dict

    Examples
    --------
    >>> tier_colors(["core", "marginal", "unrated"])
    {'core': '#1a7f4b', 'marginal': '#a3262a', 'unrated': '#9e9e9e'}
    """
    keys = list(keys)
    ranked = [k for k in keys if k not in NEUTRAL_KEYS]
    colors = dict(zip(ranked, ordered_colors(len(ranked)), strict=True))
    return {k: colors.get(k, NEUTRAL) for k in keys}


def readable_on(color) -> str:
    """Black or white, whichever reads better on ``color`` (by its relative luminance).

    Examples
    --------
    >>> readable_on("#1a7f4b"), readable_on("#e8b13a")
    ('white', 'black')
    """
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(color))
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.2 else "white"
