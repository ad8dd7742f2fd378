import { hashString } from '@sage/common';
import { z } from 'zod';
import type { Document } from '../contracts.js';

/** What a chunk adds to its source document's metadata. */
export interface ChunkMetadata {
  [key: string]: unknown;
  /** The id of the document the chunk was cut from. */
  sourceId: string;
  /** Position of the chunk among its document's chunks, from 0. */
  chunkIndex: number;
  /** Offset of the chunk's first character in the document's text, when the chunk is a verbatim slice of it. */
  start?: number;
}

/** A piece of a document, itself a document (it is indexed and retrieved like one). */
export interface Chunk extends Document {
  metadata: ChunkMetadata;
}

/** A document as the splitters take it: `metadata` may be left out. */
export type DocumentInput = Pick<Document, 'id' | 'text'> & { metadata?: Record<string, unknown> };

/** Cuts a document into chunks. Every splitter is usable on its own and through the `Chunker` operator. */
export interface Splitter {
  split(document: DocumentInput): Promise<Chunk[]>;
}

/**
 * The id of a chunk: `${sourceId}#${chunkIndex}-${hash}` with the 32-bit stable hash of the chunk's text in
 * hex. It depends only on its inputs, so re-chunking the same document gives the same ids on every run and
 * machine, and an edited chunk gets a new id (an index can tell it must be re-embedded).
 */
export function chunkId(sourceId: string, chunkIndex: number, text: string): string {
  return `${sourceId}#${chunkIndex}-${hashString(text).toString(16).padStart(8, '0')}`;
}

/** A chunk's text and, when known, its offset in the document. */
export interface ChunkPiece {
  text: string;
  start?: number;
}

/** Builds the chunk documents of `document` from its pieces, in order. */
export function toChunks(document: DocumentInput, pieces: readonly ChunkPiece[]): Chunk[] {
  return pieces.map((piece, chunkIndex) => {
    const metadata: ChunkMetadata = { ...document.metadata, sourceId: document.id, chunkIndex };
    if (piece.start !== undefined) metadata.start = piece.start;
    return { id: chunkId(document.id, chunkIndex, piece.text), text: piece.text, metadata };
  });
}

/**
 * Finds where each chunk text starts in `text`. The LangChain splitters return texts only. A chunk starts
 * after the previous chunk's start, and shares at most `maxOverlap` characters with its end, so each chunk
 * is searched from the later of these two offsets. Best effort: in repetitive text an earlier identical
 * passage may still be found; a chunk that is not a verbatim slice (the splitter re-joined pieces with a
 * different separator) gets no offset.
 */
export function locatePieces(text: string, chunkTexts: readonly string[], maxOverlap: number): ChunkPiece[] {
  let from = 0;
  return chunkTexts.map((chunkText) => {
    const start = text.indexOf(chunkText, from);
    if (start < 0) return { text: chunkText };
    from = Math.max(start + 1, start + chunkText.length - maxOverlap);
    return { text: chunkText, start };
  });
}

/** `chunkSize` and `chunkOverlap` in characters, as the LangChain splitters take them. */
export const characterWindowShape = {
  /** Maximum characters per chunk (a single piece longer than this that cannot be split stays whole). */
  chunkSize: z.number().int().positive().default(1000),
  /** Characters shared by consecutive chunks, smaller than `chunkSize`; default a fifth of `chunkSize`. */
  chunkOverlap: z.number().int().nonnegative().optional(),
};

/** Refinement: the overlap must leave room for new text in every chunk. */
export function overlapBelowSize(options: { chunkSize: number; chunkOverlap?: number | undefined }, context: z.RefinementCtx): void {
  if (options.chunkOverlap !== undefined && options.chunkOverlap >= options.chunkSize) {
    context.addIssue({
      code: 'custom',
      path: ['chunkOverlap'],
      message: `must be smaller than chunkSize (${options.chunkOverlap} >= ${options.chunkSize})`,
    });
  }
}

/** The overlap to use: the given one, else a fifth of `chunkSize` (LangChain's 200 for 1000). */
export function resolveOverlap(options: { chunkSize: number; chunkOverlap?: number | undefined }): number {
  return options.chunkOverlap ?? Math.floor(options.chunkSize / 5);
}
