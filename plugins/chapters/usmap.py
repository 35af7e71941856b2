"""The US map on ``/chapters/``: inline SVG, states shaded by member count.

Shapes come from ``data/states-albers-10m.json``, the U.S. Census Bureau's
cartographic boundaries as pre-projected TopoJSON (Albers USA, 975x610), vendored
unchanged from the npm package ``us-atlas`` 3.0.1 (ISC licence, see
``data/us-atlas-LICENSE``). The SVG is generated at build time: no tiles, no script,
no request to any other host.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "states-albers-10m.json"
WIDTH, HEIGHT = 975, 610
MIN_STEP = 0.8  # px: points closer than this to the last kept point of an arc are dropped

Point = tuple[float, float]


def _decode_arcs(topology: dict) -> list[list[Point]]:
    """Quantized, delta-encoded TopoJSON arcs -> lists of points, lightly thinned.

    Thinning is per arc, and arcs are shared by neighbouring states, so borders stay
    gap-free.
    """
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        kept = [points[0]]
        for point in points[1:-1]:
            last = kept[-1]
            if abs(point[0] - last[0]) + abs(point[1] - last[1]) >= MIN_STEP:
                kept.append(point)
        if len(points) > 1:
            kept.append(points[-1])
        arcs.append(kept)
    return arcs


def _ring(indexes: Sequence[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _path(rings: list[list[Point]]) -> str:
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        x0, y0 = ring[0]
        moves = [f"M{x0:.1f},{y0:.1f}"]
        px, py = round(x0, 1), round(y0, 1)
        for x, y in ring[1:]:
            rx, ry = round(x, 1), round(y, 1)
            if (rx, ry) != (px, py):
                moves.append(f"l{rx - px:.1f},{ry - py:.1f}".replace(".0,", ",").removesuffix(".0"))
                px, py = rx, ry
        parts.append("".join(moves) + "z")
    return "".join(parts)


@lru_cache(maxsize=1)
def state_shapes() -> dict[str, tuple[str, str]]:
    """Postal code -> (state name, SVG path data), for the 50 states and DC."""
    import us

    topology = json.loads(DATA.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    shapes = {}
    for geometry in topology["objects"]["states"]["geometries"]:
        state = us.states.lookup(str(geometry["id"]))
        if state is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        shapes[state.abbr] = (geometry["properties"]["name"], _path(rings))
    return shapes


def shade(count: int, steps: Sequence[int]) -> int:
    """The shade class of a count: how many of ``steps`` (ascending thresholds, e.g. 1, 2, 5, 10) it reaches."""
    if count <= 0:
        return 0
    return max(1, sum(1 for step in steps if count >= step))


def legend(steps: Sequence[int]) -> list[tuple[int, str]]:
    """``(shade, label)`` for each shade: ``[(0, "none"), (1, "1"), (2, "2–4"), (3, "5–9"), (4, "10+")]``."""
    items = [(0, "none")]
    for index, step in enumerate(steps):
        if index + 1 == len(steps):
            label = f"{step}+"
        else:
            last = steps[index + 1] - 1
            label = str(step) if last == step else f"{step}–{last}"
        items.append((index + 1, label))
    return items


def render_map(
    counts: Mapping[str, int], links: Mapping[str, str], steps: Sequence[int], *, title: str, table_id: str
) -> str:
    """The SVG markup. Screen readers skip it (the table ``table_id`` says the same, with links);
    the shapes are links for pointer users only, so nothing hidden can take keyboard focus."""
    out = [
        f'<svg class="us-map" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" '
        f'aria-hidden="true" focusable="false" data-table="{html.escape(table_id)}">',
        f"<title>{html.escape(title)}</title>",
    ]
    for code, (name, path) in sorted(state_shapes().items()):
        count = counts.get(code, 0)
        label = f"{name}: {count} member{'s' if count != 1 else ''}" if count else f"{name}: no members yet"
        shape = (
            f'<path class="shade-{shade(count, steps)}" data-state="{code}" d="{path}">'
            f"<title>{html.escape(label)}</title></path>"
        )
        if code in links:
            shape = f'<a href="{html.escape(links[code])}" tabindex="-1">{shape}</a>'
        out.append(shape)
    out.append("</svg>")
    return "\n".join(out)
