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
 */
export function topIndices(values: ArrayLike<number>, count: number): Int32Array {
  let finite = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > -Infinity) finite++;
  const take = Math.min(count, finite);
  if (take <= 0) return new Int32Array(0);
  const threshold = kthLargest(values, take);
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] >= threshold && values[i] > -Infinity) picked.push(i);
  const sorted = sortIndicesDescending(Int32Array.from(picked), values);
  return sorted.subarray(0, take);
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
