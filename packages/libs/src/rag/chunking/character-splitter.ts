import { CharacterTextSplitter } from '@langchain/textsplitters';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type Chunk, characterWindowShape, type DocumentInput, locatePieces, overlapBelowSize, resolveOverlap, type Splitter, toChunks } from './chunk.js';

export const characterSplitterOptionsSchema = z
  .strictObject({
    ...characterWindowShape,
    /** Where the text may be cut; default a blank line (`\n\n`). */
    separator: z.string().min(1).default('\n\n'),
  })
  .superRefine(overlapBelowSize);

export type CharacterSplitterOptions = z.input<typeof characterSplitterOptionsSchema>;

/**
 * Cuts text at one separator and packs the pieces into chunks of at most `chunkSize` characters, consecutive
 * chunks sharing up to `chunkOverlap` characters (LangChain's `CharacterTextSplitter`). A piece longer than
 * `chunkSize` becomes one oversized chunk (LangChain then prints a warning with `console.warn`).
 */
export class CharacterSplitter implements Splitter {
  private readonly splitter: CharacterTextSplitter;
  private readonly maxOverlap: number;

  constructor(options: CharacterSplitterOptions = {}) {
    const parsed = parseConfig('CharacterSplitter', characterSplitterOptionsSchema, options);
    this.splitter = new CharacterTextSplitter({ ...parsed, chunkOverlap: resolveOverlap(parsed) });
    // The kept pieces total at most chunkOverlap characters (so at most that many pieces), re-joined with the
    // separator: a bound on how far a chunk reaches back into the previous one.
    this.maxOverlap = this.splitter.chunkOverlap * (1 + parsed.separator.length);
  }

  async split(document: DocumentInput): Promise<Chunk[]> {
    const texts = await this.splitter.splitText(document.text);
    return toChunks(document, locatePieces(document.text, texts, this.maxOverlap));
  }
}
