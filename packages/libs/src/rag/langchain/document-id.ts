/**
 * How a LangChain document becomes a SAGE one: its id (`metadata.id`, else `doc.id`, else a stable hash of
 * its content) and its text.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@sage/common';
import type { DocumentInterface } from '@langchain/core/documents';

/** `metadata.id` (string or number), else `doc.id`, else `lc-` and the first 16 hex digits of the SHA-256 of the content. */
export function langChainDocumentId(doc: DocumentInterface): string {
  const fromMetadata = doc.metadata?.id;
  if (typeof fromMetadata === 'string' && fromMetadata !== '') return fromMetadata;
  if (typeof fromMetadata === 'number' && Number.isFinite(fromMetadata)) return String(fromMetadata);
  if (typeof doc.id === 'string' && doc.id !== '') return doc.id;
  return `lc-${createHash('sha256').update(doc.pageContent).digest('hex').slice(0, 16)}`;
}

/** Checks that `doc` looks like a LangChain document (`pageContent` a string, `metadata` an object, if any). */
export function checkLangChainDocument(owner: string, doc: unknown, index: number): DocumentInterface {
  const candidate = doc as DocumentInterface | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.pageContent !== 'string') {
    throw new ValidationError(`${owner}: document ${index}: expected a LangChain Document with a string pageContent`, {
      details: { owner, index },
    });
  }
  if (candidate.metadata !== undefined && (typeof candidate.metadata !== 'object' || candidate.metadata === null)) {
    throw new ValidationError(`${owner}: document ${index}: metadata must be an object`, { details: { owner, index } });
  }
  return candidate;
}
