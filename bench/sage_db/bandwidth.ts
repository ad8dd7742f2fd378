/**
 * Single-thread memory bandwidth of this machine, measured in the benchmark's own process over buffers far
 * larger than the caches. Reads: glibc's SIMD memchr (`Buffer#indexOf` of an absent byte) over 1 GiB and
 * memcmp (`Buffer.compare` of two equal 512 MiB buffers). Copy: memcpy (`Buffer#copy`) of 512 MiB, counted
 * as bytes read + bytes written. Also a JS `Float32Array` sum, which is bound by the JS loop, not by memory.
 * The reference for the exact-scan target is the best read figure.
 */
export interface Bandwidth {
  /** GB/s (1e9 bytes per second), best of the repetitions. */
  memchr: number;
  memcmp: number;
  memcpy: number;
  jsSum: number;
  /** max(memchr, memcmp): the reference read bandwidth. */
  read: number;
}

const GiB = 2 ** 30;

function best(repetitions: number, bytes: number, run: () => void): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return bytes / (fastest / 1000) / 1e9;
}

export function measureBandwidth(collectGarbage: () => void, repetitions = 5): Bandwidth {
  let memchr: number;
  let jsSum: number;
  {
    const buffer = Buffer.alloc(GiB, 1); // filled, so every page is really mapped
    memchr = best(repetitions, GiB, () => {
      if (buffer.indexOf(0) !== -1) throw new Error('bandwidth: unexpected zero byte');
    });
    const floats = new Float32Array(buffer.buffer, buffer.byteOffset, GiB / 4);
    let sink = 0;
    jsSum = best(Math.min(repetitions, 3), GiB, () => {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < floats.length; i += 4) {
        s0 += floats[i]!;
        s1 += floats[i + 1]!;
        s2 += floats[i + 2]!;
        s3 += floats[i + 3]!;
      }
      sink += s0 + s1 + s2 + s3;
    });
    if (Number.isNaN(sink)) throw new Error('bandwidth: NaN');
  }
  collectGarbage();
  let memcmp: number;
  let memcpy: number;
  {
    const a = Buffer.alloc(GiB / 2, 7);
    const b = Buffer.alloc(GiB / 2, 7);
    memcmp = best(repetitions, GiB, () => {
      if (Buffer.compare(a, b) !== 0) throw new Error('bandwidth: buffers differ');
    });
    memcpy = best(repetitions, GiB, () => {
      a.copy(b);
    });
  }
  collectGarbage();
  return { memchr, memcmp, memcpy, jsSum, read: Math.max(memchr, memcmp) };
}
