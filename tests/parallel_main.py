"""A `python -m` program that computes in worker processes (tests/warehouse/test_pipeline.py runs it): its
workers re-run this module as their __mp_main__ after the fork server imported it."""

from __future__ import annotations

from warehouse.parallel import map_batches


def double(value: int) -> int:
    return 2 * value


if __name__ == "__main__":
    print(list(map_batches(double, [1, 2, 3, 4], 4, 2)))
