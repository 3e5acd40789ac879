/**
 * Formats a byte count with decimal units (kB, MB, GB = 10^3, 10^6, 10^9 bytes, as download sizes
 * are usually quoted), localized with Intl.
 * @param bytes a non-negative byte count
 */
export function formatBytes(bytes: number, locale: string): string {
  const [unit, div, digits] =
    bytes >= 1e9 ? (['gigabyte', 1e9, 2] as const) : bytes >= 1e6 ? (['megabyte', 1e6, 1] as const) : bytes >= 1e3 ? (['kilobyte', 1e3, 0] as const) : (['byte', 1, 0] as const);
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: digits }).format(bytes / div);
}
