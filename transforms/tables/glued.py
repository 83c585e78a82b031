"""Recovering table rows whose cells lost every separator (`…申请数量713000074` = 71, 3, 0, 0, 0, 0, 74).

A digit run is cut into the row's cells in every way that the table's own arithmetic allows: the
row total equals the sum of its columns, a table-4 group's total the sum of its parts, and, down
table 3, 办理结果总计 the sum of the outcome rows and 新收 + 结转 = 总计 + 结转下年度 in every
column. A row's cells are kept only when exactly one cut survives; the constraints that decided it
are recorded, because the reconciliation rules are then satisfied by construction for that row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import product

MAX_CELL_DIGITS = 7  # no count in these tables runs to eight digits
MAX_CANDIDATES = 5000  # a run with more cuts than this is not worth resolving: left missing


def cuts(digits: str, parts: int, group: int | None = None) -> Iterator[tuple[int, ...]]:
    """Every way to cut `digits` into `parts` numbers without leading zeros. With `group`, every
    `group`-th number is the total of the `group - 1` before it (a row total, a table-4 group
    total): that number is computed and must be the next digits, so it is never searched for."""
    if group == parts and parts > 1:
        yield from _row_total_cuts(digits, parts)
        return
    length = len(digits)

    def walk(start: int, done: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        remaining_parts = parts - len(done)
        if remaining_parts == 0:
            if start == length:
                yield done
            return
        remaining_digits = length - start
        if remaining_digits < remaining_parts or remaining_digits > remaining_parts * MAX_CELL_DIGITS:
            return
        if group and len(done) % group == group - 1:
            total = str(sum(done[len(done) - group + 1 :]))
            if digits.startswith(total, start):
                yield from walk(start + len(total), (*done, int(total)))
            return
        if remaining_parts == 1:  # the rest of the run is the last number
            if remaining_digits == 1 or digits[start] != "0":
                yield (*done, int(digits[start:]))
            return
        limit = 1 if digits[start] == "0" else MAX_CELL_DIGITS
        for width in range(1, min(limit, remaining_digits - remaining_parts + 1) + 1):
            yield from walk(start + width, (*done, int(digits[start : start + width])))

    yield from walk(0, ())


def _row_total_cuts(digits: str, parts: int) -> Iterator[tuple[int, ...]]:
    """Cuts whose last number is the sum of the others: the total is read from the tail, and the
    head is cut into numbers that add up to it (a running sum over it ends the branch at once)."""
    for width in range(1, min(MAX_CELL_DIGITS, len(digits) - parts + 1) + 1):
        head, tail = digits[:-width], digits[-width:]
        if width > 1 and tail[0] == "0":
            continue
        total = int(tail)
        yield from ((*cut, total) for cut in _summing_cuts(head, parts - 1, total))


def _summing_cuts(digits: str, parts: int, target: int) -> Iterator[tuple[int, ...]]:
    """Cuts of `digits` into `parts` numbers (no leading zeros) that add up to `target`."""
    length = len(digits)

    def walk(start: int, done: tuple[int, ...], left: int) -> Iterator[tuple[int, ...]]:
        remaining_parts = parts - len(done)
        remaining_digits = length - start
        if remaining_digits < remaining_parts or remaining_digits > remaining_parts * MAX_CELL_DIGITS:
            return
        if remaining_parts == 1:
            if (remaining_digits == 1 or digits[start] != "0") and int(digits[start:]) == left:
                yield (*done, left)
            return
        limit = 1 if digits[start] == "0" else MAX_CELL_DIGITS
        for width in range(1, min(limit, remaining_digits - remaining_parts + 1) + 1):
            value = int(digits[start : start + width])
            if value > left:
                return  # wider pieces are larger still
            yield from walk(start + width, (*done, value), left - value)

    yield from walk(0, (), target)


def candidates(digits: str, parts: int, row_total: bool) -> list[tuple[int, ...]]:
    found: list[tuple[int, ...]] = []
    for cut in cuts(digits, parts, parts if row_total else None):
        found.append(cut)
        if len(found) > MAX_CANDIDATES:
            break
    return found


def t4_candidates(digits: str, groups: int = 3, per_group: int = 5) -> list[tuple[int, ...]]:
    return list(cuts(digits, groups * per_group, group=per_group))


@dataclass
class Resolution:
    values: dict[str, tuple[int, ...]] = field(default_factory=dict)
    ambiguous: dict[str, int] = field(default_factory=dict)  # row → how many cuts still fit
    constraints: list[str] = field(default_factory=list)


def resolve(
    options: dict[str, list[tuple[int, ...]]],
    known: dict[str, tuple[float | None, ...]],
    equations: list[tuple[str, list[str], list[str]]],
) -> Resolution:
    """Pick each glued row's cut. `options`: glued row → cuts that fit the row itself; `known`: rows
    read normally; `equations`: (name, left rows, right rows) with Σ left = Σ right in every column."""
    resolution = Resolution()
    open_rows = dict(options)
    for row, cuts_ in list(open_rows.items()):
        if len(cuts_) == 1:
            resolution.values[row] = cuts_[0]
            del open_rows[row]
        elif not cuts_:  # no cut fits the row itself: its cells stay missing
            resolution.ambiguous[row] = 0
            del open_rows[row]
    if any(len(c) == 1 for c in options.values()):
        resolution.constraints.append("row_total")
    progress = True
    while open_rows and progress:
        progress = False
        for name, left, right in equations:
            unknown = [r for r in left + right if r in open_rows]
            if len(unknown) != 1:
                continue
            row = unknown[0]
            vectors = {r: resolution.values.get(r) or known.get(r) for r in left + right if r != row}
            if any(v is None or any(x is None for x in v) for v in vectors.values()):
                continue
            width = len(open_rows[row][0])
            sign = 1 if row in left else -1
            required = tuple(
                sign * (sum(vectors[r][i] for r in right if r != row) - sum(vectors[r][i] for r in left if r != row))  # type: ignore[index,misc]
                for i in range(width)
            )
            fitting = [c for c in open_rows[row] if c == required]
            open_rows[row] = fitting
            if len(fitting) <= 1:
                if fitting:
                    resolution.values[row] = fitting[0]
                    resolution.constraints.append(name)
                del open_rows[row]
                progress = True
    if open_rows:
        solve_jointly(open_rows, resolution, known, equations)
    resolution.ambiguous.update({row: len(c) for row, c in open_rows.items()})
    return resolution


MAX_JOINT_COMBINATIONS = 20_000


def solve_jointly(
    open_rows: dict[str, list[tuple[int, ...]]],
    resolution: Resolution,
    known: dict[str, tuple[float | None, ...]],
    equations: list[tuple[str, list[str], list[str]]],
) -> None:
    """Rows no single equation settles: try their cuts together; keep a combination only if it is
    the one combination that satisfies every equation all of whose rows are known."""
    rows = sorted(open_rows)
    total = 1
    for row in rows:
        total *= len(open_rows[row])
    if total > MAX_JOINT_COMBINATIONS:
        return
    # Each equation's rows as terms: an open row's place in the combination, or the fixed vector of
    # a row already known. Whether an equation can be judged depends on the fixed rows alone, so it
    # is decided once here, not once per combination.
    fixed = {**known, **resolution.values}
    place = {row: index for index, row in enumerate(rows)}
    judged: list[tuple[list[Term], list[Term]]] = []
    for _, left, right in equations:
        terms = [_term(row, place, fixed) for row in left + right]
        if any(term is None for term in terms):  # an unknown row: the equation cannot be judged
            continue
        # No open row: the same for every combination.
        if all(index is None for index, _ in terms):  # type: ignore[misc]
            if not _balanced((), terms[: len(left)], terms[len(left) :]):  # type: ignore[arg-type]
                return
            continue
        judged.append((terms[: len(left)], terms[len(left) :]))  # type: ignore[arg-type]
    fitting: list[tuple[tuple[int, ...], ...]] = []
    for combination in product(*(open_rows[row] for row in rows)):
        if all(_balanced(combination, left, right) for left, right in judged):
            fitting.append(combination)
            if len(fitting) > 1:
                return
    if len(fitting) == 1:
        for row, cut in zip(rows, fitting[0], strict=True):
            resolution.values[row] = cut
            del open_rows[row]
        resolution.constraints.append("joint")


# A row in an equation: (its index in the combination, None) if open, (None, its values) if fixed.
Term = tuple[int | None, tuple[float, ...] | None]


def _term(row: str, place: dict[str, int], fixed: dict[str, tuple[float | None, ...]]) -> Term | None:
    """`row` as a term of an equation; None if its values are unknown (missing, or a cell missing)."""
    if row in place:
        return place[row], None
    vector = fixed.get(row)
    if vector is None or any(x is None for x in vector):
        return None
    return None, vector  # type: ignore[return-value]  # no None in it, as just checked


def _balanced(combination: tuple[tuple[int, ...], ...], left: list[Term], right: list[Term]) -> bool:
    """Σ left = Σ right in every column, the open rows' values taken from `combination`; the sums
    are taken in the equation's order, so they are the very floats a column-by-column check adds."""
    left_vectors = [combination[index] if index is not None else vector for index, vector in left]
    right_vectors = [combination[index] if index is not None else vector for index, vector in right]
    width = len((left_vectors or right_vectors)[0])  # type: ignore[arg-type]
    return all(
        sum(vector[i] for vector in left_vectors) == sum(vector[i] for vector in right_vectors)  # type: ignore[index,misc]
        for i in range(width)
    )
