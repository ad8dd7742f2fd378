export { CharacterSplitter, type CharacterSplitterOptions } from './character-splitter.js';
export { type Chunk, type ChunkMetadata, chunkId, type DocumentInput, type Splitter } from './chunk.js';
export { Chunker, type ChunkerConfig, type ChunkRecord } from './chunker.js';
export { RecursiveSplitter, type RecursiveSplitterOptions } from './recursive-splitter.js';
export { SentenceSplitter, type SentenceSpan, type SentenceSplitterOptions, splitSentences } from './sentence-splitter.js';
