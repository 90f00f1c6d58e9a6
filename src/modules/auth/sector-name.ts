/** Sector names as the Identity module accepts them (lower-case letters and hyphens). */
export function isSectorName(sector: string): boolean {
  return /^[a-z][a-z-]{0,30}[a-z]$/.test(sector);
}
