/**
 * Reads the relevance scores (0 to 10) an LLM gave `count` numbered documents. Accepted, in this order:
 * `<n>: <score>` pairs in any order and layout (`1: 8`, `[2] 7/10`, `Document 3 - 4`, `**1**: 9`), a JSON
 * array of `count` scores or an object (`{"scores": [...]}`, `{"1": 8, "2": 3}`), or exactly `count` bare
 * numbers. Returns one score per document, or undefined when the reply cannot be read as that.
 */
export function parseRelevanceScores(reply: string, count: number): number[] | undefined {
  const text = reply.replace(/[*_`]/g, '');
  return fromPairs(text, count) ?? fromJson(text, count) ?? fromBareNumbers(text, count);
}

const PAIR =
  /(?:^|[\s,;(])(?:doc(?:ument)?\s*)?(?:#\s*)?\[?(\d{1,3})\]?(?:(?<=\])|\s*(?:[:=)\-–—]|\.(?=\s)))\s*(?:(?:score|relevance|rating)\s*[:=]?\s*)?(-?\d+(?:\.\d+)?)(?:\s*\/\s*10)?/gi;

const isScore = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 10;

function complete(scores: ReadonlyMap<number, number>, count: number): number[] | undefined {
  const ordered: number[] = [];
  for (let index = 1; index <= count; index++) {
    const score = scores.get(index);
    if (!isScore(score)) return undefined;
    ordered.push(score);
  }
  return ordered;
}

function fromPairs(text: string, count: number): number[] | undefined {
  const scores = new Map<number, number>();
  for (const match of text.matchAll(PAIR)) {
    const index = Number(match[1]);
    if (index >= 1 && index <= count && !scores.has(index)) scores.set(index, Number(match[2]));
  }
  return complete(scores, count);
}

function fromJson(text: string, count: number): number[] | undefined {
  const candidates = [
    [text.indexOf('{'), text.lastIndexOf('}')],
    [text.indexOf('['), text.lastIndexOf(']')],
  ].filter(([start, end]) => start! >= 0 && end! > start!);
  for (const [start, end] of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(text.slice(start, end! + 1));
    } catch {
      continue;
    }
    const list = Array.isArray(value) ? value : (value as { scores?: unknown } | null)?.scores;
    if (Array.isArray(list)) {
      if (list.length === count && list.every(isScore)) return list;
      continue;
    }
    if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value).map(([key, score]) => [Number(key), score] as const);
      const found = complete(new Map(entries.filter((entry): entry is [number, number] => typeof entry[1] === 'number')), count);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function fromBareNumbers(text: string, count: number): number[] | undefined {
  const numbers = (text.replace(/\/\s*10\b/g, '').match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
  return numbers.length === count && numbers.every(isScore) ? numbers : undefined;
}
