import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@sage/common';

/**
 * Writes a tiny random-weight llama model as a GGUF v3 file (about 200 KB), so that tests run node-llama-cpp
 * for real without downloading anything. Layout (github.com/ggml-org/ggml docs/gguf.md): header, metadata
 * key-values, tensor infos, zero padding to `general.alignment`, then the tensor data, each tensor at an
 * aligned offset. All little-endian; dimensions are listed innermost first (ne[0] is a row's length).
 *
 * The tokenizer is SentencePiece-style (`tokenizer.ggml.model = llama`): control tokens, the 256 byte tokens
 * `<0x00>`..`<0xFF>` (so any text tokenises), every printable ASCII character, `▁` (a space) and a few
 * merged pieces. The chat template is ChatML. The output rows of control and byte tokens are zero, so the
 * model never predicts them where a printable piece is allowed: free text is plain ASCII and runs until
 * `maxTokens`. The weights come from a seeded generator: the same seed writes the same file.
 */

/** The model's shape, for tests that check against it. */
export const TINY_GGUF = {
  contextLength: 512,
  embeddingLength: 32,
  blockCount: 2,
  feedForwardLength: 64,
  headCount: 4,
  headCountKv: 2,
} as const;

const ALIGNMENT = 32;
const CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

// GGUF metadata value types and the one tensor type used.
const UINT32 = 4;
const INT32 = 5;
const FLOAT32 = 6;
const BOOL = 7;
const STRING = 8;
const ARRAY = 9;
const GGML_TYPE_F32 = 0;

// SentencePiece token types, as llama.cpp reads `tokenizer.ggml.token_type`.
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

const CONTROL_TOKENS = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
const BOS = 1;
const EOS = 4; // <|im_end|>: ChatML ends a turn with it
/** Pieces beyond single characters, with every prefix, so the SentencePiece merges can reach them. */
const WORDS = ['▁the', '▁answer', '▁is', '▁of', '▁and', '▁to', '▁in', '▁what', '▁capital', 'ing', 'er', 'on'];

interface Vocabulary {
  tokens: string[];
  scores: number[];
  types: number[];
}

function vocabulary(): Vocabulary {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const add = (token: string, score: number, type: number) => {
    if (tokens.includes(token)) return;
    tokens.push(token);
    scores.push(score);
    types.push(type);
  };
  for (const token of CONTROL_TOKENS) add(token, 0, token === '<unk>' ? UNKNOWN : CONTROL);
  for (let byte = 0; byte < 256; byte++) add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, 0, BYTE);
  add('▁', -1, NORMAL);
  for (let code = 0x21; code <= 0x7e; code++) add(String.fromCharCode(code), -2 - code / 1000, NORMAL);
  // Longer pieces score higher, so SentencePiece prefers them.
  for (const word of WORDS) {
    for (let length = 2; length <= word.length; length++) add(word.slice(0, length), -1 + length / 100, NORMAL);
  }
  return { tokens, scores, types };
}


interface Tensor {
  name: string;
  /** Innermost first: `[n_embd, n_vocab]` is n_vocab rows of n_embd floats. */
  dims: number[];
  data: Float32Array;
}

function tensors(vocab: Vocabulary, random: () => number): Tensor[] {
  const { embeddingLength: embd, feedForwardLength: ff, headCount, headCountKv, blockCount } = TINY_GGUF;
  const kvWidth = (embd / headCount) * headCountKv;
  const uniform = (dims: number[], scale: number): Tensor['data'] => {
    const data = new Float32Array(dims.reduce((product, dim) => product * dim, 1));
    for (let i = 0; i < data.length; i++) data[i] = (random() * 2 - 1) * scale;
    return data;
  };
  const ones = (length: number) => new Float32Array(length).fill(1);
  const matrix = (name: string, columns: number, rows: number, scale: number): Tensor => ({
    name,
    dims: [columns, rows],
    data: uniform([columns, rows], scale),
  });

  const output = matrix('output.weight', embd, vocab.tokens.length, 1);
  vocab.types.forEach((type, token) => {
    if (type !== NORMAL) output.data.fill(0, token * embd, (token + 1) * embd);
  });
  const list: Tensor[] = [
    matrix('token_embd.weight', embd, vocab.tokens.length, 1),
    { name: 'output_norm.weight', dims: [embd], data: ones(embd) },
    output,
  ];
  for (let block = 0; block < blockCount; block++) {
    const prefix = `blk.${block}`;
    list.push(
      { name: `${prefix}.attn_norm.weight`, dims: [embd], data: ones(embd) },
      matrix(`${prefix}.attn_q.weight`, embd, embd, 0.2),
      matrix(`${prefix}.attn_k.weight`, embd, kvWidth, 0.2),
      matrix(`${prefix}.attn_v.weight`, embd, kvWidth, 0.2),
      matrix(`${prefix}.attn_output.weight`, embd, embd, 0.2),
      { name: `${prefix}.ffn_norm.weight`, dims: [embd], data: ones(embd) },
      matrix(`${prefix}.ffn_gate.weight`, embd, ff, 0.2),
      matrix(`${prefix}.ffn_up.weight`, embd, ff, 0.2),
      matrix(`${prefix}.ffn_down.weight`, ff, embd, 0.2),
    );
  }
  return list;
}

/** Appends little-endian GGUF values to a growing list of buffers. */
class GgufWriter {
  readonly #parts: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  bytes(buffer: Buffer): void {
    this.#parts.push(buffer);
    this.#length += buffer.length;
  }

  uint32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    this.bytes(buffer);
  }

  int32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    this.bytes(buffer);
  }

  uint64(value: number): void {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    this.bytes(buffer);
  }

  float32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value);
    this.bytes(buffer);
  }

  string(value: string): void {
    const encoded = Buffer.from(value, 'utf8');
    this.uint64(encoded.length);
    this.bytes(encoded);
  }

  /** Zero bytes up to the next multiple of ALIGNMENT. */
  pad(): void {
    this.bytes(Buffer.alloc((ALIGNMENT - (this.#length % ALIGNMENT)) % ALIGNMENT));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#parts, this.#length);
  }
}

type MetadataValue =
  | { type: typeof UINT32 | typeof FLOAT32 | typeof BOOL; value: number | boolean }
  | { type: typeof STRING; value: string }
  | { type: typeof ARRAY; of: typeof STRING | typeof FLOAT32 | typeof INT32; values: Array<string | number> };

function writeValue(writer: GgufWriter, type: number, value: string | number | boolean): void {
  if (type === UINT32) writer.uint32(value as number);
  else if (type === INT32) writer.int32(value as number);
  else if (type === FLOAT32) writer.float32(value as number);
  else if (type === BOOL) writer.bytes(Buffer.from([value ? 1 : 0]));
  else writer.string(value as string);
}

function metadata(vocab: Vocabulary): Array<[string, MetadataValue]> {
  const uint32 = (value: number) => ({ type: UINT32, value }) as const;
  const { contextLength, embeddingLength, blockCount, feedForwardLength, headCount, headCountKv } = TINY_GGUF;
  return [
    ['general.architecture', { type: STRING, value: 'llama' }],
    ['general.name', { type: STRING, value: 'sage-tiny-test' }],
    ['general.alignment', uint32(ALIGNMENT)],
    ['general.file_type', uint32(0)], // all F32
    ['llama.context_length', uint32(contextLength)],
    ['llama.embedding_length', uint32(embeddingLength)],
    ['llama.block_count', uint32(blockCount)],
    ['llama.feed_forward_length', uint32(feedForwardLength)],
    ['llama.attention.head_count', uint32(headCount)],
    ['llama.attention.head_count_kv', uint32(headCountKv)],
    ['llama.rope.dimension_count', uint32(embeddingLength / headCount)],
    ['llama.attention.layer_norm_rms_epsilon', { type: FLOAT32, value: 1e-5 }],
    ['tokenizer.ggml.model', { type: STRING, value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: ARRAY, of: STRING, values: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: ARRAY, of: FLOAT32, values: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: ARRAY, of: INT32, values: vocab.types }],
    ['tokenizer.ggml.bos_token_id', uint32(BOS)],
    ['tokenizer.ggml.eos_token_id', uint32(EOS)],
    ['tokenizer.ggml.unknown_token_id', uint32(0)],
    ['tokenizer.ggml.add_bos_token', { type: BOOL, value: true }],
    ['tokenizer.ggml.add_eos_token', { type: BOOL, value: false }],
    ['tokenizer.chat_template', { type: STRING, value: CHAT_TEMPLATE }],
  ];
}

/** The bytes of the tiny model whose weights come from `seed`. */
export function tinyGgufBytes(seed = 42): Buffer {
  const vocab = vocabulary();
  const weights = tensors(vocab, seededRandom(seed));
  const entries = metadata(vocab);
  const writer = new GgufWriter();

  writer.bytes(Buffer.from('GGUF', 'ascii'));
  writer.uint32(3);
  writer.uint64(weights.length);
  writer.uint64(entries.length);
  for (const [key, entry] of entries) {
    writer.string(key);
    writer.uint32(entry.type);
    if (entry.type === ARRAY) {
      writer.uint32(entry.of);
      writer.uint64(entry.values.length);
      for (const value of entry.values) writeValue(writer, entry.of, value);
    } else {
      writeValue(writer, entry.type, entry.value);
    }
  }

  // Offsets are relative to the start of the data section, each one aligned.
  let offset = 0;
  const offsets = weights.map((tensor) => {
    const start = offset;
    offset += Math.ceil(tensor.data.byteLength / ALIGNMENT) * ALIGNMENT;
    return start;
  });
  weights.forEach((tensor, index) => {
    writer.string(tensor.name);
    writer.uint32(tensor.dims.length);
    for (const dim of tensor.dims) writer.uint64(dim);
    writer.uint32(GGML_TYPE_F32);
    writer.uint64(offsets[index]!);
  });
  writer.pad();
  for (const tensor of weights) {
    writer.bytes(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    writer.pad();
  }
  return writer.toBuffer();
}

/** Writes the tiny model to `filePath`. */
export async function writeTinyGguf(filePath: string, seed = 42): Promise<void> {
  await writeFile(filePath, tinyGgufBytes(seed));
}

/** A temporary directory holding `tiny.gguf`; `remove()` deletes it. */
export async function tinyGgufDirectory(): Promise<{ directory: string; modelPath: string; remove(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'sage-tiny-gguf-'));
  const modelPath = join(directory, 'tiny.gguf');
  await writeTinyGguf(modelPath);
  return { directory, modelPath, remove: () => rm(directory, { recursive: true, force: true }) };
}
