"""Near-duplicate detection: MinHash signatures of word shingles, grouped with LSH bands.

Syndicated news repeats the same story with small edits. Each article gets a signature at index
time (stored with it); at query time the candidates whose signatures agree enough are grouped so
one is shown and the others are offered as "N articoli simili".
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Sequence

SHINGLE_WORDS = 4
NUM_HASHES = 32
BANDS = 8  # NUM_HASHES / BANDS rows per band
THRESHOLD = 0.5  # estimated Jaccard similarity of shingle sets above which two texts are duplicates

_WORD = re.compile(r"\w+", re.UNICODE)
_MASK = (1 << 61) - 1
# Fixed odd multipliers/offsets: signatures must be identical across processes and versions.
_SEEDS = [
    struct.unpack("<QQ", hashlib.sha256(f"rassegna-minhash-{i}".encode()).digest()[:16])
    for i in range(NUM_HASHES)
]
_PARAMS = [((a | 1) & _MASK, b & _MASK) for a, b in _SEEDS]

Signature = tuple[int, ...]


def _shingles(text: str) -> set[int]:
    words = _WORD.findall(text.lower())
    if not words:
        return set()  # no words, no signature: empty texts are not duplicates of each other
    if len(words) < SHINGLE_WORDS:
        words = words + [""] * (SHINGLE_WORDS - len(words))
    out = set()
    for i in range(len(words) - SHINGLE_WORDS + 1):
        digest = hashlib.blake2b(" ".join(words[i : i + SHINGLE_WORDS]).encode(), digest_size=8)
        out.add(int.from_bytes(digest.digest(), "little"))
    return out


def signature(text: str) -> Signature:
    """The MinHash signature of a text's word shingles."""
    shingles = _shingles(text)
    if not shingles:
        return ()
    return tuple(min((a * s + b) & _MASK for s in shingles) for a, b in _PARAMS)


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
