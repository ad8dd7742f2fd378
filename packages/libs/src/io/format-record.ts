/** How the text sinks render a record by default: strings as they are, anything else as compact JSON. */
export function formatRecord(record: unknown): string {
  if (typeof record === 'string') return record;
  return JSON.stringify(record, bigintAsString) ?? String(record);
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
