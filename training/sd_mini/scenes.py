"""Shape scenes rendered on the GPU in batches, with their captions.

One shape on a plain background at 128x128, drawn with 4x4 supersampling.
Small shapes cover 3-6% of the picture and large ones 15-30%; a named
position puts the shape's centroid well inside the region the evaluator
(src-main/eval/scene-analysis.ts) reads as that side. Every optional part of
a caption is left out some of the time, and ~10% of captions are dropped
entirely so classifier-free guidance has an unconditional model to use.
"""
import math

import torch

from .grammar import COLOURS, PALETTE, POSITIONS, SHAPES, SIZES, format_caption

SIZE = 128
SUPERSAMPLE = 4
AREA = {"small": (0.03, 0.06), "large": (0.15, 0.30)}
# Area of each shape for a unit "radius" (circumradius; half the side for the square).
UNIT_AREA = {
    "circle": math.pi,
    "square": 4.0,
    "triangle": 3 * math.sqrt(3) / 4,
    "star": 5 * 0.45 * math.sin(math.radians(36)),
    "ring": math.pi * (1 - 0.55**2),
}
TARGET = {"left": (0.27, 0.5), "right": (0.73, 0.5), "top": (0.5, 0.27), "bottom": (0.5, 0.73), "center": (0.5, 0.5)}
STAR_INNER = 0.45
RING_INNER = 0.55


def sample_specs(n, rng, p_drop=0.1, edge_allowed=True):
    """Random scenes and captions from a random.Random. Returns (list of dicts, list of captions)."""
    r, pick = rng.random, rng.choice
    specs, captions = [], []
    for _ in range(n):
        colour = pick(COLOURS)
        background = pick([c for c in COLOURS if c != colour])
        shape, size = pick(SHAPES), pick(SIZES)
        position = pick(POSITIONS) if r() < 5 / 6 else None  # None: anywhere
        area = AREA[size][0] + r() * (AREA[size][1] - AREA[size][0])
        radius = math.sqrt(area / UNIT_AREA[shape])  # in picture widths
        lo, hi = radius + 0.01, 1 - radius - 0.01  # the circumradius bounds every shape: it stays inside
        if position is None:
            cx, cy = lo + r() * (hi - lo), lo + r() * (hi - lo)
        else:
            tx, ty = TARGET[position]
            cx, cy = tx + (r() - 0.5) * 0.08, ty + (r() - 0.5) * 0.08
            # Kept inside the picture, except across the named side when it fills the picture: a large star or
            # triangle (circumradius near half the width) "on the left" is cut by the left edge rather than
            # pushed back to the centre. (Stage 1 clamped on both axes and learnt centred large stars.)
            clip_x = not (edge_allowed and position in ("left", "right"))
            clip_y = not (edge_allowed and position in ("top", "bottom"))
            cx = min(max(cx, lo), hi) if clip_x else cx
            cy = min(max(cy, lo), hi) if clip_y else cy
        specs.append(dict(colour=colour, background=background, shape=shape, size=size, position=position,
                          cx=cx, cy=cy, radius=radius))
        if r() < p_drop:
            captions.append("")
        else:
            captions.append(format_caption(
                colour, shape,
                size=size if r() < 0.6 else None,
                position=position if position and r() < 0.7 else None,
                background=background if r() < 0.6 else None,
            ))
    return specs, captions


def render(specs, device, supersample=SUPERSAMPLE):
    """Pictures in [-1, 1], shape [n, 3, 128, 128]."""
    n = len(specs)
    res = SIZE * supersample
    t = lambda key: torch.tensor([s[key] for s in specs], device=device, dtype=torch.float32).view(n, 1, 1)
    coords = (torch.arange(res, device=device, dtype=torch.float32) + 0.5) / res
    px = coords.view(1, 1, res) - t("cx")
    py = coords.view(1, res, 1) - t("cy")
    radius = t("radius")
    dist = torch.sqrt(px * px + py * py)
    kind = torch.tensor([SHAPES.index(s["shape"]) for s in specs], device=device).view(n, 1, 1)

    circle = dist <= radius
    square = torch.maximum(px.abs(), py.abs()) <= radius
    # Equilateral triangle pointing up (y grows downwards): three half-planes at the inradius.
    c30 = math.cos(math.radians(30))
    triangle = (py <= radius / 2) & (c30 * px - 0.5 * py <= radius / 2) & (-c30 * px - 0.5 * py <= radius / 2)
    # Five-pointed star pointing up: fold the angle into [0, 36] degrees from a tip, then one half-plane.
    theta = torch.atan2(px, -py) % (2 * math.pi / 5)
    phi = torch.minimum(theta, 2 * math.pi / 5 - theta)
    qx, qy = dist * torch.cos(phi), dist * torch.sin(phi)
    ix, iy = STAR_INNER * math.cos(math.pi / 5), STAR_INNER * math.sin(math.pi / 5)  # inner vertex, unit radius
    nx, ny = iy, 1 - ix  # normal of the tip->inner edge, pointing outwards
    star = (qx - radius) * nx + qy * ny <= 0
    ring = (dist <= radius) & (dist >= RING_INNER * radius)

    inside = torch.stack([circle, square, triangle, star, ring], 0).float()  # [5, n, res, res]
    mask = inside.gather(0, kind.unsqueeze(0).expand(1, n, res, res)).squeeze(0)
    cover = torch.nn.functional.avg_pool2d(mask.unsqueeze(1), supersample)  # [n, 1, 128, 128]
    rgb = lambda key: torch.tensor([PALETTE[s[key]] for s in specs], device=device, dtype=torch.float32).view(n, 3, 1, 1) / 255
    img = rgb("background") * (1 - cover) + rgb("colour") * cover
    return img * 2 - 1
