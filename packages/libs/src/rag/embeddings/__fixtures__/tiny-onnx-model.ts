/**
 * Tiny models in the Hugging Face layout (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx),
 * written at test time, so that transformers.js and onnxruntime-node run for real on something whose outputs
 * can be computed by hand:
 *
 * - the embedding model's `last_hidden_state` is `Gather(table, input_ids)`: each token's row of the table;
 * - the cross-encoder's `logits` are `MatMul(ReduceSum(Gather(table, input_ids), axis 1), weights)`: the sum of
 *   the rows of the pair's tokens times the weights. Its [PAD] row is zero, so padding adds nothing.
 *
 * The tokenizer is BERT's: lowercasing normalizer, whitespace and punctuation pre-tokenizer, WordPiece over a
 * small vocabulary, `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]` templates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const VOCABULARY = [
  '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]',
  'how', 'do', 'i', 'reset', 'my', 'password', 'to', 'your', 'open', 'settings', 'and', 'choose',
  'orders', 'ship', 'within', 'two', 'days', 'refund', '##s', 'card', 'the', 'whale', '.', '?',
] as const;

export type Word = (typeof VOCABULARY)[number];

/** The id of a vocabulary entry. */
export function idOf(word: Word): number {
  return VOCABULARY.indexOf(word);
}

export interface TinyModel {
  directory: string;
  /** `table[id]` is the row of token `id`. */
  table: number[][];
}

export interface TinyCrossEncoder extends TinyModel {
  /** `weights[d][label]`, `dimension` × labels. */
  weights: number[][];
}

/** A deterministic, irregular row per token, with values in about [-1, 1]. */
function tableRows(dimension: number, zeroPad: boolean): number[][] {
  return VOCABULARY.map((_, id) =>
    Array.from({ length: dimension }, (_, d) => (zeroPad && id === 0 ? 0 : Math.round(Math.sin(id * 1.7 + d * 0.9 + 0.3) * 1000) / 1000)),
  );
}

/** An embedding model: `last_hidden_state[b][t] = table[input_ids[b][t]]`. The [PAD] row is not zero, so a pooling that ignored the mask would show. */
export function writeTinyEmbeddingModel(directory: string, dimension = 8): TinyModel {
  const table = tableRows(dimension, false);
  const graph = onnxGraph({
    nodes: [node('Gather', ['table', 'input_ids'], ['last_hidden_state'])],
    initializers: [floatTensor('table', [table.length, dimension], table.flat())],
    output: valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', dimension]),
  });
  writeModelDirectory(directory, { architectures: ['BertModel'], hidden_size: dimension }, graph);
  return { directory, table };
}

/**
 * A sequence-classification model with `labels` logits (1: a relevance logit; 2: label 1 is "relevant"):
 * `logits[b] = (Σ_t table[input_ids[b][t]]) · weights`.
 */
export function writeTinyCrossEncoder(directory: string, labels = 1, dimension = 4): TinyCrossEncoder {
  const table = tableRows(dimension, true);
  const weights = Array.from({ length: dimension }, (_, d) => Array.from({ length: labels }, (_, label) => (d % 2 === 0 ? 1 : -0.5) * (label + 1)));
  const graph = onnxGraph({
    nodes: [
      node('Gather', ['table', 'input_ids'], ['tokens']),
      node('ReduceSum', ['tokens', 'sequence_axis'], ['pooled'], { keepdims: 0 }),
      node('MatMul', ['pooled', 'weights'], ['logits']),
    ],
    initializers: [
      floatTensor('table', [table.length, dimension], table.flat()),
      int64Tensor('sequence_axis', [1], [1]),
      floatTensor('weights', [dimension, labels], weights.flat()),
    ],
    output: valueInfo('logits', FLOAT, ['batch', labels]),
  });
  const id2label = Object.fromEntries(Array.from({ length: labels }, (_, label) => [String(label), `LABEL_${label}`]));
  writeModelDirectory(directory, { architectures: ['BertForSequenceClassification'], hidden_size: dimension, id2label }, graph);
  return { directory, table, weights };
}

function writeModelDirectory(directory: string, config: Record<string, unknown>, graph: Uint8Array): void {
  mkdirSync(join(directory, 'onnx'), { recursive: true });
  const hiddenSize = config.hidden_size as number;
  writeJson(join(directory, 'config.json'), {
    model_type: 'bert',
    vocab_size: VOCABULARY.length,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: hiddenSize,
    max_position_embeddings: 64,
    type_vocab_size: 2,
    pad_token_id: 0,
    ...config,
  });
  writeJson(join(directory, 'tokenizer.json'), tokenizerJson());
  writeJson(join(directory, 'tokenizer_config.json'), {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 64,
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    mask_token: '[MASK]',
  });
  writeFileSync(join(directory, 'onnx', 'model.onnx'), graph);
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function tokenizerJson(): unknown {
  const special = (content: string) => ({ id: VOCABULARY.indexOf(content as Word), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const token = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const specialTokens = Object.fromEntries(['[CLS]', '[SEP]'].map((content) => [content, { id: content, ids: [VOCABULARY.indexOf(content as Word)], tokens: [content] }]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0)],
      pair: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0), sequence('B', 1), token('[SEP]', 1)],
      special_tokens: specialTokens,
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCABULARY.map((word, id) => [word, id])),
    },
  };
}

// --- A minimal protobuf writer for ONNX's ModelProto (field numbers from onnx/onnx.proto) ---

/** TensorProto.DataType */
const FLOAT = 1;
const INT64 = 7;
/** AttributeProto.AttributeType */
const ATTRIBUTE_INT = 2;
const IR_VERSION = 8;
const OPSET = 13;

type Field = Uint8Array;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

const integer = (field: number, value: number): Field => Uint8Array.from([...varint(field * 8), ...varint(value)]);

function lengthDelimited(field: number, data: Uint8Array): Field {
  return concat([Uint8Array.from([...varint(field * 8 + 2), ...varint(data.length)]), data]);
}

const text = (field: number, value: string): Field => lengthDelimited(field, new TextEncoder().encode(value));
const message = (field: number, fields: Field[]): Field => lengthDelimited(field, concat(fields));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5 (AttributeProto: name 1, i 3, type 20). */
function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, number> = {}): Field[] {
  return [
    ...inputs.map((input) => text(1, input)),
    ...outputs.map((output) => text(2, output)),
    text(3, `${opType}_${outputs[0]}`),
    text(4, opType),
    ...Object.entries(attributes).map(([name, value]) => message(5, [text(1, name), integer(3, value), integer(20, ATTRIBUTE_INT)])),
  ];
}

/** TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian). */
function floatTensor(name: string, dims: number[], values: number[]): Field[] {
  const data = new DataView(new ArrayBuffer(values.length * 4));
  for (const [index, value] of values.entries()) data.setFloat32(index * 4, value, true);
  return [...dims.map((dim) => integer(1, dim)), integer(2, FLOAT), text(8, name), lengthDelimited(9, new Uint8Array(data.buffer))];
}

function int64Tensor(name: string, dims: number[], values: number[]): Field[] {
  const data = new DataView(new ArrayBuffer(values.length * 8));
  for (const [index, value] of values.entries()) data.setBigInt64(index * 8, BigInt(value), true);
  return [...dims.map((dim) => integer(1, dim)), integer(2, INT64), text(8, name), lengthDelimited(9, new Uint8Array(data.buffer))];
}

/**
 * ValueInfoProto: name 1, type 2. TypeProto: tensor_type 1. TypeProto.Tensor: elem_type 1, shape 2.
 * TensorShapeProto: dim 1. Dimension: dim_value 1, dim_param 2 (a symbolic dimension).
 */
function valueInfo(name: string, elementType: number, dims: Array<number | string>): Field[] {
  const shape = dims.map((dim) => message(1, [typeof dim === 'number' ? integer(1, dim) : text(2, dim)]));
  return [text(1, name), message(2, [message(1, [integer(1, elementType), message(2, shape)])])];
}

/**
 * ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (OperatorSetIdProto: domain 1, version 2).
 * GraphProto: node 1, name 2, initializer 5, input 11, output 12. The inputs are BERT's three.
 */
function onnxGraph(graph: { nodes: Field[][]; initializers: Field[][]; output: Field[] }): Uint8Array {
  const inputs = ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => message(11, valueInfo(name, INT64, ['batch', 'sequence'])));
  return concat([
    integer(1, IR_VERSION),
    text(2, 'sage-tiny-onnx-model'),
    message(7, [
      ...graph.nodes.map((fields) => message(1, fields)),
      text(2, 'tiny'),
      ...graph.initializers.map((fields) => message(5, fields)),
      ...inputs,
      message(12, graph.output),
    ]),
    message(8, [text(1, ''), integer(2, OPSET)]),
  ]);
}
