/**
 * Sets `key` as the newest entry of `map`, first dropping the oldest entry when the map already
 * holds `capacity` others: the bound every in-process memo and cache here keeps, because their
 * keys come from request parameters or the clock.
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  if (map.size >= capacity) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
