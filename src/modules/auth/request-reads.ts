/**
 * What one request of the provider already read, for the rest of that request and never longer:
 * a token read with its grant and account in one statement hands them on here, so the provider's
 * later Grant.find and findAccount of the same request cost no second round trip. Nothing outlives
 * the request (keyed by its context object), so a revoked grant or a disabled account is seen by
 * the next request.
 */
const reads = new WeakMap<object, Map<string, Promise<unknown>>>();

const ofRequest = (request: object) => {
  const known = reads.get(request) ?? new Map<string, Promise<unknown>>();
  reads.set(request, known);
  return known;
};

/** The value read earlier in this request under `key`, or `read()` (kept for the rest of the request). */
export function readOnce<T>(request: object | undefined, key: string, read: () => Promise<T>): Promise<T> {
  if (!request) return read();
  const known = ofRequest(request);
  const earlier = known.get(key) as Promise<T> | undefined;
  if (earlier) return earlier;
  const value = read();
  known.set(key, value);
  return value;
}

export function readAlready(request: object | undefined, key: string, value: unknown): void {
  if (request) ofRequest(request).set(key, Promise.resolve(value));
}

/** After a write in this request, the next read of `key` goes to the database again. */
export function forgetRead(request: object | undefined, key: string): void {
  if (request) reads.get(request)?.delete(key);
}
