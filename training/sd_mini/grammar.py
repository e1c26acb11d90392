"""The caption grammar of the shape scenes, mirrored from src-main/eval/shape-captions.ts.

`a [small|large] <colour> <shape> [<position>] [on a <colour> background]`

The palette and the position words must stay identical to the TypeScript
table: the evaluator reads generated pictures with that palette.
"""
COLOURS = ["red", "green", "blue", "yellow", "orange", "purple", "white", "black"]
SHAPES = ["circle", "square", "triangle", "star", "ring"]
SIZES = ["small", "large"]
POSITIONS = ["left", "right", "top", "bottom", "center"]
POSITION_WORDS = {
    "left": "on the left",
    "right": "on the right",
    "top": "at the top",
    "bottom": "at the bottom",
    "center": "in the center",
}
PALETTE = {
    "red": (220, 30, 30),
    "green": (30, 170, 60),
    "blue": (30, 70, 220),
    "yellow": (240, 220, 30),
    "orange": (245, 140, 20),
    "purple": (140, 50, 180),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
}


def format_caption(colour, shape, size=None, position=None, background=None):
    parts = ["a", size, colour, shape, POSITION_WORDS[position] if position else None,
             f"on a {background} background" if background else None]
    return " ".join(p for p in parts if p)


def all_words():
    """Every word the grammar can produce, for building the BPE vocabulary."""
    words = ["a", "on", "background"] + COLOURS + SHAPES + SIZES
    for phrase in POSITION_WORDS.values():
        words += phrase.split()
    return sorted(set(words))
