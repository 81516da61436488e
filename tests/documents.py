"""Many documents for scale-out tests: real fixture text cut up, plus seeded generated text."""

from __future__ import annotations

import random

from .conftest import real_texts
from .strategies import TRICKY


def sample_documents(n: int, seed: int = 0) -> list[str]:
    """``n`` documents, half cut from the real fixtures (every script), half generated.

    Sizes run from empty to a few KB; the same ``seed`` gives the same list.
    """
    rng = random.Random(seed)
    real = list(real_texts().values())
    docs: list[str] = []
    for i in range(n):
        if i % 2 == 0:
            text = real[(i // 2) % len(real)]
            start = rng.randrange(len(text))
            docs.append(text[start : start + rng.choice([0, 1, 40, 300, 2000, 6000])])
        else:
            parts = rng.choices(TRICKY, k=rng.randrange(60))
            parts += [chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(30))]
            rng.shuffle(parts)
            docs.append("".join(parts))
    return docs
