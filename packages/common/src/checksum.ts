import zlib from 'node:zlib';

/**
 * CRC-32 (the zlib polynomial) of `data`, continuing from `previous`. Used to detect torn and corrupt
 * records in files SAGE writes. Node 20.15+ has it natively; older 20.x releases use the table below.
 */
export function crc32(data: Uint8Array, previous = 0): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  return native !== undefined ? native(data, previous) : crc32Portable(data, previous);
}

/** The table-driven CRC-32, for Node releases without `zlib.crc32`. */
export function crc32Portable(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ data[i]!) & 0xff]!;
  return ~crc >>> 0;
}

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();
