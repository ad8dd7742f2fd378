import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import { z } from 'zod';
import { parseConfig } from '../config.js';
import { type Chunk, characterWindowShape, type DocumentInput, locatePieces, overlapBelowSize, resolveOverlap, type Splitter, toChunks } from './chunk.js';

export const recursiveSplitterOptionsSchema = z
  .strictObject({
    ...characterWindowShape,
    /** Separators to try in order, coarsest first; default paragraphs, lines, words, characters. */
    separators: z.array(z.string()).min(1).default(['\n\n', '\n', ' ', '']),
  })
  .superRefine(overlapBelowSize);

export type RecursiveSplitterOptions = z.input<typeof recursiveSplitterOptionsSchema>;

/**
 * Cuts text at the coarsest separator that yields pieces under `chunkSize` characters, recursing into larger
 * pieces with the finer separators, then packs pieces into chunks that share up to `chunkOverlap` characters
 * (LangChain's `RecursiveCharacterTextSplitter`, which keeps each separator at the start of the next piece).
 * The usual default for prose: it keeps paragraphs, then lines, then words together as far as it can.
 */
export class RecursiveSplitter implements Splitter {
  private readonly splitter: RecursiveCharacterTextSplitter;
  private readonly maxOverlap: number;

  constructor(options: RecursiveSplitterOptions = {}) {
    const parsed = parseConfig('RecursiveSplitter', recursiveSplitterOptionsSchema, options);
    this.splitter = new RecursiveCharacterTextSplitter({ ...parsed, chunkOverlap: resolveOverlap(parsed) });
    // Pieces keep their separators and are joined with "", so an overlap is at most chunkOverlap characters.
    this.maxOverlap = this.splitter.chunkOverlap;
  }

  async split(document: DocumentInput): Promise<Chunk[]> {
    const texts = await this.splitter.splitText(document.text);
    return toChunks(document, locatePieces(document.text, texts, this.maxOverlap));
  }
}
