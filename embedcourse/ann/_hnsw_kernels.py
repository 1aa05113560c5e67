"""Numba kernels of :mod:`embedcourse.ann.hnsw`: the graph is built and searched here.

Read :mod:`embedcourse.ann.hnsw` first (the storage layout and the algorithm in words); this
file holds its inner loops, one function per step of Malkov & Yashunin (2018):

* :func:`_search_layer`: Algorithm 2, the beam search of one layer with a candidate min-heap
  and a bounded result max-heap of size ``ef``;
* :func:`_greedy`: the same search with ``ef = 1``, used to descend through the upper layers;
* :func:`_select`: Algorithm 4, the neighbour-selection heuristic (no extension of the
  candidates and no kept pruned connections, as in hnswlib);
* :func:`_insert`: Algorithm 1, one new node: descend, then search, select and link at each of
  its layers, shrinking a neighbour's list with the heuristic when it overflows;
* :func:`build` and :func:`search`: the two entry points, over a batch of nodes or queries.

Distances are "smaller is closer": ``-q.x`` for the inner product (and cosine, on unit
vectors) and ``||q - x||^2`` for "l2", computed in float32. Equal distances are ordered by the
smaller position, so the build and every search are deterministic.

Memory safety. Numba does not check indices (unless ``NUMBA_BOUNDSCHECK=1``). The arrays are
private to :class:`~embedcourse.ann.hnsw.HNSWIndex`, which checks their shapes before each
call and every stored link when a file is loaded (``check_arrays``, ``check_graph`` there); the kernels also guard
themselves: they allocate their own scratch space, return ``-1`` without touching anything when
the arrays do not fit together, and skip any link or row number outside its array. None of
these guards fires on valid input.

Taught in: chapter 07.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["build", "search", "IP", "L2", "MAX_LEVEL"]

IP, L2 = 0, 1  # metric codes: IP also serves "cosine" (unit vectors)
MAX_LEVEL = 64  # levels are floor(-ln(U) / ln(M)) <= 37 / ln(2) < 54: never reached


@njit(cache=True, fastmath=True, inline="always")
def _dist(X, i, q, metric):
    """Distance from stored vector ``X[i]`` to ``q`` (smaller is closer)."""
    s = np.float32(0.0)
    if metric == L2:
        for j in range(q.shape[0]):
            t = X[i, j] - q[j]
            s += t * t
        return s
    for j in range(q.shape[0]):
        s += X[i, j] * q[j]
    return -s


@njit(cache=True, inline="always")
def _before(da, na, db, nb):
    """(da, na) < (db, nb): closer first, then the smaller position."""
    return da < db or (da == db and na < nb)


@njit(cache=True)
def _push(hd, hn, size, d, n, is_max):
    """Push (d, n) on a binary heap of ``size`` items (a max-heap if ``is_max``); returns the new size."""
    i = size
    while i > 0:
        p = (i - 1) >> 1
        if _before(hd[p], hn[p], d, n) if is_max else _before(d, n, hd[p], hn[p]):
            hd[i] = hd[p]
            hn[i] = hn[p]
            i = p
        else:
            break
    hd[i] = d
    hn[i] = n
    return size + 1


@njit(cache=True)
def _pop(hd, hn, size, is_max):
    """Remove the root of a heap of ``size`` items; returns the new size."""
    size -= 1
    d = hd[size]
    n = hn[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and (_before(hd[c], hn[c], hd[c + 1], hn[c + 1]) if is_max
                             else _before(hd[c + 1], hn[c + 1], hd[c], hn[c])):
            c += 1
        if _before(d, n, hd[c], hn[c]) if is_max else _before(hd[c], hn[c], d, n):
            hd[i] = hd[c]
            hn[i] = hn[c]
            i = c
        else:
            break
    hd[i] = d
    hn[i] = n
    return size


@njit(cache=True, inline="always")
def _row(layer, c, links0, deg0, ulinks, udeg, uoff):
    """(links, count) of node ``c`` at ``layer``: a row of ``links0``, or of ``ulinks`` above 0."""
    if layer == 0:
        return links0[c], min(max(deg0[c], 0), links0.shape[1])
    r = uoff[c] + layer - 1
    if r < 0 or r >= ulinks.shape[0]:  # never on valid input
        return links0[c], 0
    return ulinks[r], min(max(udeg[r], 0), ulinks.shape[1])


@njit(cache=True, inline="always")
def _set_count(layer, c, value, deg0, udeg, uoff):
    if layer == 0:
        deg0[c] = value
    else:
        r = uoff[c] + layer - 1
        if 0 <= r < udeg.shape[0]:
            udeg[r] = value


@njit(cache=True)
def _new_tag(visited, tag):
    """A fresh 'visited' mark: no node carries it yet (the array is cleared once in 2**30 searches)."""
    if tag >= 2**30:
        visited[:] = 0
        return 1
    return tag + 1


@njit(cache=True, fastmath=True)
def _greedy(X, q, cur, cur_d, layer, n, metric, links0, deg0, ulinks, udeg, uoff):
    """Move to a closer neighbour while there is one (the search of an upper layer, ef = 1).

    Each move strictly lowers (distance, position), so there are fewer than ``n`` moves; the
    count is capped anyway, because with ``fastmath`` a NaN distance compares unpredictably.
    """
    changed = True
    moves = 0
    while changed and moves < n:
        changed = False
        moves += 1
        row, cnt = _row(layer, cur, links0, deg0, ulinks, udeg, uoff)
        for t in range(cnt):
            e = row[t]
            if e < 0 or e >= n:
                continue
            d = _dist(X, e, q, metric)
            if _before(d, e, cur_d, cur):
                cur, cur_d, changed = e, d, True
    return cur, cur_d


@njit(cache=True, fastmath=True)
def _search_layer(X, q, ep, ep_d, layer, ef, n, metric, links0, deg0, ulinks, udeg, uoff,
                  visited, tag, cd, cn, rd, rn):
    """Algorithm 2: the ``ef`` closest nodes to ``q`` found from ``ep`` at ``layer``.

    ``cd, cn``: the candidates, a min-heap (the closest unexpanded node on top); ``rd, rn``: the
    results, a max-heap of at most ``ef`` (the worst kept node on top). Returns the number of
    results; the search stops when the closest candidate is farther than the worst result.
    """
    visited[ep] = tag
    nc = _push(cd, cn, 0, ep_d, ep, False)
    nr = _push(rd, rn, 0, ep_d, ep, True)
    while nc > 0:
        c_d, c = cd[0], cn[0]
        if nr >= ef and _before(rd[0], rn[0], c_d, c):
            break
        nc = _pop(cd, cn, nc, False)
        row, cnt = _row(layer, c, links0, deg0, ulinks, udeg, uoff)
        for t in range(cnt):
            e = row[t]
            if e < 0 or e >= n or visited[e] == tag:
                continue
            visited[e] = tag
            d = _dist(X, e, q, metric)
            if nr < ef or _before(d, e, rd[0], rn[0]):
                if nc < cd.shape[0]:  # always: each node enters the candidates at most once
                    nc = _push(cd, cn, nc, d, e, False)
                nr = _push(rd, rn, nr, d, e, True)
                if nr > ef:
                    nr = _pop(rd, rn, nr, True)
    return nr


@njit(cache=True)
def _drain(rd, rn, nr, od, on):
    """Empty the result max-heap into ``od, on`` in increasing distance."""
    for t in range(nr - 1, -1, -1):
        od[t] = rd[0]
        on[t] = rn[0]
        nr = _pop(rd, rn, nr, True)


@njit(cache=True, fastmath=True)
def _select(X, metric, cd, cn, m, M, out):
    """Algorithm 4: up to ``M`` of the ``m`` candidates (sorted, closest first) into ``out``.

    A candidate is kept if it is closer to the base node than to every neighbour kept so far;
    otherwise a kept neighbour already 'covers' its direction. Fewer than ``M`` candidates are
    all kept (as hnswlib). Returns the number kept.
    """
    if m < M:
        for t in range(m):
            out[t] = cn[t]
        return m
    kept = 0
    for t in range(m):
        e = cn[t]
        good = True
        for s in range(kept):
            if _dist(X, e, X[out[s]], metric) < cd[t]:
                good = False
                break
        if good:
            out[kept] = e
            kept += 1
            if kept >= M:
                break
    return kept


@njit(cache=True, fastmath=True)
def _link_back(X, metric, r, i, layer, links0, deg0, ulinks, udeg, uoff, sd, sn, out):
    """Add ``i`` to the neighbours of ``r`` at ``layer``; if the row is full, shrink it with the heuristic."""
    row, cnt = _row(layer, r, links0, deg0, ulinks, udeg, uoff)
    width = row.shape[0]  # M0 at layer 0, M above
    if cnt < width:
        row[cnt] = i
        _set_count(layer, r, cnt + 1, deg0, udeg, uoff)
        return
    m = 0
    for t in range(cnt + 1):  # the old neighbours and i, sorted by distance to r (insertion sort)
        e = row[t] if t < cnt else i
        if e < 0 or e >= X.shape[0]:
            continue
        d = _dist(X, e, X[r], metric)
        j = m
        while j > 0 and _before(d, e, sd[j - 1], sn[j - 1]):
            sd[j] = sd[j - 1]
            sn[j] = sn[j - 1]
            j -= 1
        sd[j] = d
        sn[j] = e
        m += 1
    kept = _select(X, metric, sd, sn, m, width, out)
    for t in range(kept):
        row[t] = out[t]
    for t in range(kept, width):
        row[t] = -1
    _set_count(layer, r, kept, deg0, udeg, uoff)


@njit(cache=True, fastmath=True)
def _insert(X, i, levels, state, M, efc, n, metric, links0, deg0, ulinks, udeg, uoff, visited, tag, scratch):
    """Algorithm 1: link node ``i`` (already in ``X``) into the graph; returns the visited tag."""
    cd, cn, rd, rn, sd, sn, sel, bd, bn, bout = scratch
    level = levels[i]
    ep, top = state[0], state[1]
    if ep < 0:  # the first node: it is the entry point
        state[0], state[1] = i, level
        return tag
    q = X[i]
    cur, cur_d = ep, _dist(X, ep, q, metric)
    for layer in range(top, level, -1):  # above the new node's level: greedy descent
        cur, cur_d = _greedy(X, q, cur, cur_d, layer, n, metric, links0, deg0, ulinks, udeg, uoff)
    for layer in range(min(top, level), -1, -1):
        tag = _new_tag(visited, tag)
        m = _search_layer(X, q, cur, cur_d, layer, efc, n, metric, links0, deg0, ulinks, udeg, uoff,
                          visited, tag, cd, cn, rd, rn)
        _drain(rd, rn, m, sd, sn)
        cur, cur_d = sn[0], sd[0]  # the closest node found enters the next layer down
        kept = _select(X, metric, sd, sn, m, M, sel)  # M links of its own at every layer (hnswlib)
        row, _ = _row(layer, i, links0, deg0, ulinks, udeg, uoff)
        kept = min(kept, row.shape[0])
        for t in range(kept):
            row[t] = sel[t]
        _set_count(layer, i, kept, deg0, udeg, uoff)
        for t in range(kept):  # each new neighbour links back, closest first
            _link_back(X, metric, sel[t], i, layer, links0, deg0, ulinks, udeg, uoff, bd, bn, bout)
    if level > top:
        state[0], state[1] = i, level
    return tag


@njit(cache=True)
def _scratch(n, ef, M0):
    """Work arrays of one kernel call: heaps, sorted lists, selections (sizes fixed by n, ef, M0)."""
    f32, i32 = np.float32, np.int32
    w = max(ef, M0) + 2
    return (np.empty(n + 1, f32), np.empty(n + 1, i32), np.empty(w, f32), np.empty(w, i32),
            np.empty(w, f32), np.empty(w, i32), np.empty(w, i32),
            np.empty(M0 + 2, f32), np.empty(M0 + 2, i32), np.empty(M0 + 2, i32))


@njit(cache=True)
def _fits(X, levels, links0, deg0, ulinks, udeg, uoff, state):
    """The number of nodes every array can hold, or -1 when the arrays do not fit together."""
    n = min(X.shape[0], levels.shape[0], links0.shape[0], deg0.shape[0], uoff.shape[0])
    if ulinks.shape[0] != udeg.shape[0] or ulinks.shape[1] < 1 or ulinks.shape[1] > links0.shape[1]:
        return -1
    if state.shape[0] < 2:
        return -1
    if state[0] >= n or state[0] < -1 or state[1] < -1 or state[1] > MAX_LEVEL:
        return -1
    return n


@njit(cache=True)
def build(X, levels, links0, deg0, ulinks, udeg, uoff, state, start, end, M, efc, metric):
    """Insert nodes ``start .. end - 1`` one after the other; returns how many (-1: refused).

    ``state`` holds ``[entry point, its level]`` (``[-1, -1]`` for an empty graph) and is
    updated in place, as are the link arrays. Refuses (returns -1, changes nothing) when the
    arrays do not fit together or a new node's level is outside ``[0, MAX_LEVEL]``.
    """
    n = _fits(X, levels, links0, deg0, ulinks, udeg, uoff, state)
    if n < 0 or start < 0 or end > n or start > end or M < 1 or efc < 1:
        return -1
    if state[0] < 0 and start != 0:
        return -1
    for i in range(start, end):
        if levels[i] < 0 or levels[i] > MAX_LEVEL:
            return -1
        if levels[i] > 0 and (uoff[i] < 0 or uoff[i] + levels[i] > ulinks.shape[0]):
            return -1
    M = min(M, links0.shape[1])
    scratch = _scratch(n, max(efc, M), links0.shape[1])
    visited = np.zeros(n, np.int32)
    tag = 0
    for i in range(start, end):
        tag = _insert(X, i, levels, state, M, max(efc, M), end, metric, links0, deg0, ulinks, udeg, uoff,
                      visited, tag, scratch)
    return end - start


@njit(cache=True, fastmath=True)
def search(X, levels, links0, deg0, ulinks, udeg, uoff, state, ntotal, Q, k, ef, metric, tiebreak, D, P):
    """The ``k`` nearest of ``ntotal`` nodes for each row of ``Q``, into ``D`` (scores) and ``P`` (positions).

    Greedy descent from the entry point through the upper layers, then Algorithm 2 at layer 0
    with ``max(ef, k)`` results; if the graph search reaches fewer than ``k`` nodes, the rest of
    the nodes are scanned exactly, so every row holds ``k`` real neighbours. Rows are sorted by
    distance, equal distances by ``tiebreak`` (the ids). ``D`` is the inner product for IP, the
    squared distance for L2. Returns the number of queries answered (-1: refused).
    """
    n = _fits(X, levels, links0, deg0, ulinks, udeg, uoff, state)
    if n < 0 or ntotal > n or ntotal < 1 or state[0] < 0 or state[0] >= ntotal or k < 1 or k > ntotal:
        return -1
    if Q.shape[1] != X.shape[1] or tiebreak.shape[0] < ntotal or ef < 1:
        return -1
    nq = min(Q.shape[0], D.shape[0], P.shape[0])
    if D.shape[1] < k or P.shape[1] < k:
        return -1
    ef = max(ef, k)
    cd, cn, rd, rn, sd, sn, _, _, _, _ = _scratch(ntotal, ef, 1)
    visited = np.zeros(ntotal, np.int32)
    tag = 0
    for qi in range(nq):
        q = Q[qi]
        cur = state[0]
        cur_d = _dist(X, cur, q, metric)
        for layer in range(state[1], 0, -1):
            cur, cur_d = _greedy(X, q, cur, cur_d, layer, ntotal, metric, links0, deg0, ulinks, udeg, uoff)
        tag = _new_tag(visited, tag)
        m = _search_layer(X, q, cur, cur_d, 0, ef, ntotal, metric, links0, deg0, ulinks, udeg, uoff,
                          visited, tag, cd, cn, rd, rn)
        if m < k:  # a graph too small or not connected: complete the results exactly
            for e in range(ntotal):
                if visited[e] != tag:
                    d = _dist(X, e, q, metric)
                    if m < ef or _before(d, e, rd[0], rn[0]):
                        m = _push(rd, rn, m, d, e, True)
                        if m > ef:
                            m = _pop(rd, rn, m, True)
        if m < k:  # impossible: the exact completion fills up to max(ef, k) <= ntotal
            return -1
        _drain(rd, rn, m, sd, sn)
        for t in range(1, m):  # equal distances: the smaller id first (already sorted by position)
            d, e = sd[t], sn[t]
            j = t
            while j > 0 and sd[j - 1] == d and tiebreak[sn[j - 1]] > tiebreak[e]:
                sn[j] = sn[j - 1]
                j -= 1
            sn[j] = e
        for t in range(k):
            D[qi, t] = sd[t] if metric == L2 else -sd[t]
            P[qi, t] = sn[t]
    return nq
