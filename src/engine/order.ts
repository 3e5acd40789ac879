/**
 * Ordering helpers shared by top-k, top-p, sampling and top-N selection.
 * Order is always: value descending, ties broken by the lower index first.
 */

function before(values: ArrayLike<number>, a: number, b: number): boolean {
  const va = values[a];
  const vb = values[b];
  return va > vb || (va === vb && a < b);
}

/** Sorts `indices` in place: value descending, lower index first on ties. */
export function sortIndicesDescending(indices: Int32Array, values: ArrayLike<number>): Int32Array {
  return indices.sort((a, b) => (before(values, a, b) ? -1 : before(values, b, a) ? 1 : 0));
}

/**
 * The `m`-th largest value (1-based) among the entries of `values` greater than
 * -Infinity, by quickselect on a copy: O(n) expected.
 * @throws RangeError when m < 1 or there are fewer than m finite entries.
 */
export function kthLargest(values: ArrayLike<number>, m: number): number {
  let finite = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > -Infinity) finite++;
  if (m < 1 || m > finite) throw new RangeError(`kthLargest: m must be in [1, ${finite}]: ${m}`);
  const a = new Float64Array(finite);
  for (let i = 0, k = 0; i < values.length; i++) if (values[i] > -Infinity) a[k++] = values[i];
  let lo = 0;
  let hi = a.length - 1;
  const target = m - 1; // index in descending order
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    const x = a[lo], y = a[mid], z = a[hi];
    const pivot = x > y ? (y > z ? y : x > z ? z : x) : x > z ? x : y > z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target];
  }
  return a[target];
}

/**
 * Indices of the `count` largest entries (value descending, lower index first on
 * ties), ignoring -Infinity entries. Returns fewer when fewer are finite.
 * One pass with a bounded heap: O(n + count·log count·log(n/count)) expected, no copy of `values`.
 */
export function topIndices(values: ArrayLike<number>, count: number): Int32Array {
  return heapTopIndices(values, count);
}

/**
 * Same contract as topIndices: a bounded min-heap of the best `count` indices (root = the worst
 * kept one); an entry enters only when it comes before the root, so most of a peaked vocabulary
 * costs one comparison. Indices are visited in ascending order, so an equal value never displaces
 * a kept lower index (ties: lower index first).
 * @param count how many to return (≤ 0 → none)
 * @returns Int32Array of length min(count, number of finite entries), best first
 */
export function heapTopIndices(values: ArrayLike<number>, count: number): Int32Array {
  const n = values.length;
  const k = Math.min(Math.max(0, Math.floor(count)), n);
  if (k === 0) return new Int32Array(0);
  const heap = new Int32Array(k);
  let size = 0;
  // worse(a, b): a comes after b in the order (smaller value, or equal value and larger index)
  const siftDown = (from: number) => {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      let w = l;
      const r = l + 1;
      if (r < size) {
        const vr = values[heap[r]], vl = values[heap[l]];
        if (vr < vl || (vr === vl && heap[r] > heap[l])) w = r;
      }
      const vw = values[heap[w]], vi = values[heap[i]];
      if (vw < vi || (vw === vi && heap[w] > heap[i])) {
        const t = heap[w];
        heap[w] = heap[i];
        heap[i] = t;
        i = w;
      } else break;
    }
  };
  let rootV = Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (size < k) {
      if (!(v > -Infinity)) continue;
      // sift up
      let c = size++;
      heap[c] = i;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const vp = values[heap[p]];
        if (v < vp || (v === vp && i > heap[p])) {
          heap[c] = heap[p];
          heap[p] = i;
          c = p;
        } else break;
      }
      rootV = values[heap[0]];
    } else if (v > rootV) {
      // i is larger than every kept index, so an equal value never enters
      heap[0] = i;
      siftDown(0);
      rootV = values[heap[0]];
    }
  }
  const out = heap.slice(0, size);
  return sortIndicesDescending(out, values);
}

/**
 * 1-based rank of `tokenId` in the descending order of `values` (ties: lower
 * index first). O(n).
 */
export function rankOf(values: ArrayLike<number>, tokenId: number): number {
  const v = values[tokenId];
  let rank = 1;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > v || (values[i] === v && i < tokenId)) rank++;
  }
  return rank;
}
