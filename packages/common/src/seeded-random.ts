/**
 * mulberry32: a small seeded generator of floats in [0, 1). The same seed gives the same sequence on every
 * machine, which is what generated test data and benchmark datasets need (`Math.random` cannot be seeded).
 */
export function seededRandom(seed: number): () => number {
  // A uint32 above 2^30 is no small integer to V8: kept in a closure variable, every call would allocate a
  // heap number for it. In a typed array it costs nothing.
  const state = new Uint32Array([seed >>> 0]);
  return () => {
    const next = (state[0]! + 0x6d2b79f5) >>> 0;
    state[0] = next;
    let t = next;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
