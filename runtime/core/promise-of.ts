/**
 * Calls `fn`, turning a synchronous throw into a rejected promise: for functions on the
 * message path that hand back a promise without being `async` (an async function would add
 * a promise and, while it awaits, a suspended frame per waiting message).
 */
export function promiseOf<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
