"""Near-duplicate detection: one-permutation MinHash of word shingles, grouped with LSH bands.

Syndicated news repeats the same story with small edits. Each article gets a signature at index
time (stored with it); at query time the candidates whose signatures agree enough are grouped so
one is shown and the others are offered as "N articoli simili".
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

SHINGLE_WORDS = 4
NUM_HASHES = 32  # bins of the one-permutation hash
BANDS = 8  # NUM_HASHES / BANDS rows per band
THRESHOLD = 0.5  # estimated Jaccard similarity of shingle sets above which two texts are duplicates

_WORD = re.compile(r"\w+", re.UNICODE)
_BIN_BITS = 5  # log2(NUM_HASHES)
# An empty bin borrows the next non-empty bin's value plus this much per step (densification), so
# a borrowed value never equals a bin's own value and two texts agree on it only by agreeing on
# the bin it came from.
_STEP = 1 << 32

Signature = tuple[int, ...]


def _shingles(text: str) -> set[int]:
    """32-bit CRC of each run of ``SHINGLE_WORDS`` words (lower case); stable across processes."""
    words = _WORD.findall(text.lower())
    if not words:
        return set()  # no words, no signature: empty texts are not duplicates of each other
    if len(words) < SHINGLE_WORDS:
        words = words + [""] * (SHINGLE_WORDS - len(words))
    crc = zlib.crc32
    return {
        crc(" ".join(words[i : i + SHINGLE_WORDS]).encode())
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def signature(text: str) -> Signature:
    """The one-permutation MinHash signature of a text's word shingles.

    One hash per shingle, split into ``NUM_HASHES`` bins by its low bits, the minimum kept per bin
    (Li, Owen and Zhang 2012), empty bins filled by rotation (Shrivastava and Li 2014): the same
    Jaccard estimate as ``NUM_HASHES`` independent permutations at 1/``NUM_HASHES`` of the cost
    (measured 11 ms an article before, see bench/RESULTS.md).
    """
    shingles = _shingles(text)
    if not shingles:
        return ()
    mask = NUM_HASHES - 1
    bins: list[int | None] = [None] * NUM_HASHES
    for h in shingles:
        b = h & mask
        v = h >> _BIN_BITS
        current = bins[b]
        if current is None or v < current:
            bins[b] = v
    out = list(bins)
    for i in range(NUM_HASHES):
        if out[i] is None:
            for step in range(1, NUM_HASHES):
                value = bins[(i + step) & mask]
                if value is not None:
                    out[i] = value + step * _STEP
                    break
    return tuple(out)  # type: ignore[arg-type]


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def group_near_duplicates(
    signatures: Sequence[Signature], threshold: float = THRESHOLD
) -> list[int]:
    """For each signature, the index of the first earlier signature it duplicates (itself if none).

    Candidates come from LSH bands (cheap), then each pair is confirmed on the full signature.
    Order matters: the earlier item (the better-ranked hit) leads its group.
    """
    rows = NUM_HASHES // BANDS
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    leader = list(range(len(signatures)))
    for i, sig in enumerate(signatures):
        if not sig:
            continue
        candidates: set[int] = set()
        for band in range(BANDS):
            key = (band, sig[band * rows : (band + 1) * rows])
            bucket = buckets.setdefault(key, [])
            candidates.update(bucket)
            bucket.append(i)
        for j in sorted(candidates):
            if leader[j] == j and similarity(sig, signatures[j]) >= threshold:
                leader[i] = j
                break
    return leader
