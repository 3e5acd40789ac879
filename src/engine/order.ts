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
  const h = new TopHeap(values, count);
  const n = values.length;
  for (let i = 0; i < n; i++) if (values[i] > h.gate) h.offer(i);
  return h.sorted();
}

/**
 * The bounded heap behind heapTopIndices, usable inside another loop over `values` (indices offered
 * in ascending order): offer index i when `values[i] > gate` (gate = -Infinity until the heap is
 * full, then the worst kept value; an equal value has a larger index and never enters).
 */
export class TopHeap {
  readonly k: number;
  private readonly heap: Int32Array;
  private size = 0;
  /** Offer an index only when its value is above this. */
  gate = -Infinity;

  constructor(
    private readonly values: ArrayLike<number>,
    count: number,
  ) {
    this.k = Math.min(Math.max(0, Math.floor(count)), values.length);
    this.heap = new Int32Array(this.k);
    if (this.k === 0) this.gate = Infinity;
  }

  /** Adds index i (its value must be above `gate`; indices ascending). */
  offer(i: number): void {
    const values = this.values;
    const heap = this.heap;
    const v = values[i];
    if (this.size < this.k) {
      // sift up: the root is the worst (smallest value, then larger index)
      let c = this.size++;
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
      if (this.size === this.k) this.gate = values[heap[0]];
      return;
    }
    heap[0] = i;
    let at = 0;
    const size = this.size;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) break;
      let w = l;
      const r = l + 1;
      if (r < size) {
        const vr = values[heap[r]], vl = values[heap[l]];
        if (vr < vl || (vr === vl && heap[r] > heap[l])) w = r;
      }
      const vw = values[heap[w]], va = values[heap[at]];
      if (vw < va || (vw === va && heap[w] > heap[at])) {
        const t = heap[w];
        heap[w] = heap[at];
        heap[at] = t;
        at = w;
      } else break;
    }
    this.gate = values[heap[0]];
  }

  /** The kept indices, best first. */
  sorted(): Int32Array {
    return sortIndicesDescending(this.heap.slice(0, this.size), this.values);
  }
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
