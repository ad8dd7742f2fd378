/**
 * Which embedder an operator uses. A collection records the name of the embedder that made its vectors
 * (`metadata.embedder`, written by IndexWriter); retrievers default to it and refuse a different one, since
 * vectors of two models are not comparable. Embedders are shared per process by name: the model loads once
 * however many operators and parallel instances use it, and calls made together reach it as one batch.
 */
import { resolve } from 'node:path';
import { ValidationError } from '@sage/common';
import type { CollectionInfo } from '@sage/middleware';
import { z } from 'zod';
import type { Embedder } from './embeddings/embedder.js';
import { CoalescingEmbedder, createEmbedder, type EmbedderConfig } from './embeddings/index.js';

/** A name (`use-lite`, `hashing-256`, `openai:text-embedding-3-small`), a factory config, or an embedder. */
export type EmbedderSpec = string | EmbedderConfig | Embedder;

function isEmbedder(value: unknown): value is Embedder {
  return typeof value === 'object' && value !== null && typeof (value as Embedder).embed === 'function' && typeof (value as Embedder).init === 'function';
}

export const embedderSpecSchema = z.union([
  z.string().min(1),
  z.custom<Embedder>(isEmbedder, { message: 'expected an embedder (init, embed)' }),
  z.looseObject({ provider: z.string() }),
]) as z.ZodType<EmbedderSpec>;

/** The factory config for an embedder name. */
export function configForName(name: string): EmbedderConfig {
  if (name === 'use-lite') return { provider: 'use-lite' };
  const hashing = /^hashing(?:-(\d+))?$/.exec(name);
  if (hashing) return hashing[1] === undefined ? { provider: 'hashing' } : { provider: 'hashing', dimension: Number(hashing[1]) };
  if (name.startsWith('openai:') && name.length > 'openai:'.length) return { provider: 'openai', model: name.slice('openai:'.length) };
  throw new ValidationError(`unknown embedder "${name}" (known: use-lite, hashing[-<dimension>], openai:<model>)`);
}

/**
 * The factory config a collection records beside the embedder's name (`metadata.embedderConfig`, JSON),
 * so that retrievers can rebuild an embedder whose name alone does not say how (a local model directory,
 * an endpoint): undefined for a name or an embedder object. Secrets and how it runs (`cache`, `workers`) are left out, and a model directory
 * is made absolute.
 */
export function recordableEmbedderConfig(spec: EmbedderSpec): string | undefined {
  if (typeof spec === 'string' || isEmbedder(spec)) return undefined;
  const { apiKey: _secret, cache: _cache, workers: _workers, ...config } = spec as Record<string, unknown>;
  if (typeof config.modelPath === 'string') config.modelPath = resolve(config.modelPath);
  return JSON.stringify(config);
}

function recordedConfig(collection: CollectionInfo): EmbedderConfig | undefined {
  const recorded = collection.metadata.embedderConfig;
  if (typeof recorded !== 'string') return undefined;
  try {
    return JSON.parse(recorded) as EmbedderConfig;
  } catch {
    return undefined; // not ours: fall back to the name
  }
}

const shared = new Map<string, Promise<Embedder>>();

/** The embedder for `spec`, loaded, shared per process by its name or config. */
export function sharedEmbedder(spec: EmbedderSpec): Promise<Embedder> {
  if (isEmbedder(spec)) {
    const coalesced = spec instanceof CoalescingEmbedder ? spec : new CoalescingEmbedder(spec);
    return coalesced.init().then(() => coalesced);
  }
  const config = typeof spec === 'string' ? configForName(spec) : spec;
  const key = JSON.stringify(config);
  let loading = shared.get(key);
  if (loading === undefined) {
    loading = (async () => {
      // Coalesced: the operators sharing it embed one record each, in flight together.
      const embedder = new CoalescingEmbedder(createEmbedder(config));
      await embedder.init();
      return embedder;
    })();
    shared.set(key, loading);
    loading.catch(() => shared.delete(key));
  }
  return loading;
}

/**
 * The embedder for searching `collection`: `spec` when given (it must be the one recorded with the
 * collection, if any), else the recorded one. Its dimension must match the collection's.
 */
export async function resolveCollectionEmbedder(operator: string, collection: CollectionInfo, spec: EmbedderSpec | undefined): Promise<Embedder> {
  const recorded = typeof collection.metadata.embedder === 'string' ? collection.metadata.embedder : undefined;
  if (spec === undefined && recorded === undefined) {
    throw new ValidationError(`${operator}: collection "${collection.name}" does not record its embedder; pass the \`embedder\` option`);
  }
  const embedder = await sharedEmbedder(spec ?? recordedConfig(collection) ?? recorded!);
  if (recorded !== undefined && embedder.name !== recorded) {
    throw new ValidationError(
      `${operator}: collection "${collection.name}" was indexed with embedder "${recorded}", not "${embedder.name}": their vectors are not comparable (re-index, or drop the \`embedder\` option)`,
    );
  }
  if (embedder.dimension !== collection.dimension) {
    throw new ValidationError(`${operator}: embedder "${embedder.name}" makes ${embedder.dimension}-d vectors but collection "${collection.name}" holds ${collection.dimension}-d ones`);
  }
  return embedder;
}
