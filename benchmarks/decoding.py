"""Our content-based decoder against charset-normalizer, on generated pages in every encoding.

usage: python -m benchmarks.decoding [N] [SEED]
Prints, for each decoder, how many pages come back as exactly the text that was encoded, and its
speed; the comparison behind the choice written down in docs/libraries.md.
"""

from __future__ import annotations

import sys
import time
from collections import Counter

from charset_normalizer import from_bytes

from testkit.noise import noisy_corpus
from transforms.ingest import decode


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    files = noisy_corpus(n, seed)
    megabytes = sum(len(f.data) for f in files) / 1e6
    print(f"{n} pages, {megabytes:.1f} MB, encodings {dict(Counter(f.truth.encoding for f in files))}")
    started = time.perf_counter()
    misses: Counter[str] = Counter()
    for f in files:
        best = from_bytes(f.data).best()
        if best is None or str(best).lstrip("\ufeff") != f.text:
            misses[f.truth.encoding] += 1
    seconds = time.perf_counter() - started
    print(f"charset-normalizer  exact {n - misses.total()}/{n}  {megabytes / seconds:6.1f} MB/s  misses {dict(misses)}")
    started = time.perf_counter()
    misses = Counter()
    for f in files:
        decoded = decode(f.data)
        if decoded is None or decoded[0] != f.text or decoded[1] != f.truth.encoding:
            misses[f.truth.encoding] += 1
    seconds = time.perf_counter() - started
    print(f"nianbao decode      exact {n - misses.total()}/{n}  {megabytes / seconds:6.1f} MB/s  misses {dict(misses)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
