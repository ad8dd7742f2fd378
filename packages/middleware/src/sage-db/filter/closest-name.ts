import { editDistance } from '@sage/common';

/**
 * The known name a typo most likely meant, for "did you mean" hints: the same name in another case, or one
 * at most 2 edits away (at most a third of its letters). A leading `$` is ignored when measuring, so
 * `$foo` is not taken for `$not` while `$gtt` is taken for `$gt`.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const bare = stripDollar(name).toLowerCase();
  let best: string | undefined;
  let allowed = Math.min(2, Math.floor(bare.length / 3));
  for (const candidate of known) {
    const other = stripDollar(candidate).toLowerCase();
    if (other === bare) return candidate;
    const distance = editDistance(bare, other);
    if (distance <= allowed) {
      best = candidate;
      allowed = distance - 1;
    }
  }
  return best;
}

function stripDollar(name: string): string {
  return name.startsWith('$') ? name.slice(1) : name;
}
