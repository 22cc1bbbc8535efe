/**
 * `Object.freeze` does not stop `Map#set`; the snapshot's maps must really be read-only so a
 * handler cannot tear the shared snapshot.
 */

function refuse(): never {
  throw new TypeError('the config snapshot is immutable');
}

/** A Map whose set/delete/clear throw, itself frozen. */
export function frozenMap<K, V>(entries: Iterable<readonly [K, V]>): ReadonlyMap<K, V> {
  const map = new Map<K, V>(entries);
  Object.defineProperties(map, {
    set: { value: refuse },
    delete: { value: refuse },
    clear: { value: refuse },
  });
  return Object.freeze(map);
}
