import type { RetrievedDocument } from '../contracts.js';

/** What the context placeholder holds when there are no documents. */
export const NO_DOCUMENTS = '(no documents were retrieved)';

export interface FormattedContext {
  text: string;
  /** How many of the documents (from the first) are in `text`. */
  documents: number;
}

/**
 * Formats retrieved documents for a prompt, best first, numbered from 1 with their ids so an answer can cite
 * them (`[2]` is `retrievalResults[1]`):
 *
 *   [1] (id: doc-7) Green tea is steamed.
 *
 *   [2] (id: doc-3) …
 *
 * With `maxChars`, whole documents are kept while the text fits, and the first one that does not fit ends the
 * list (so the numbers stay the positions in `retrievalResults`). A first document longer than `maxChars` is
 * cut to `maxChars` characters rather than leaving the prompt without context.
 */
export function formatContext(documents: readonly Pick<RetrievedDocument, 'id' | 'text'>[], maxChars?: number): FormattedContext {
  if (documents.length === 0) return { text: NO_DOCUMENTS, documents: 0 };
  const entries: string[] = [];
  let length = 0;
  for (const [index, document] of documents.entries()) {
    const entry = `[${index + 1}] (id: ${document.id}) ${document.text}`;
    const added = (entries.length > 0 ? 2 : 0) + entry.length;
    if (maxChars !== undefined && length + added > maxChars) {
      if (entries.length === 0) return { text: entry.slice(0, maxChars), documents: 1 };
      break;
    }
    entries.push(entry);
    length += added;
  }
  return { text: entries.join('\n\n'), documents: entries.length };
}
