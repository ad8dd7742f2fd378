import { inspect } from 'node:util';
import { ValidationError } from '@sage/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingsServer, sendJson, serverVector } from './__fixtures__/embeddings-server.js';
import { EmbeddingError } from './embedding-error.js';
import { OpenAIEmbedder, type OpenAIEmbedderConfig } from './openai-embedder.js';

const API_KEY = 'sk-test-0123456789abcdef';

let server: EmbeddingsServer;

beforeEach(async () => {
  server = await new EmbeddingsServer().start();
});

afterEach(async () => {
  await server.stop();
});

function embedder(config: Partial<OpenAIEmbedderConfig> = {}): OpenAIEmbedder {
  return new OpenAIEmbedder({ model: 'test-embed', baseURL: server.baseURL, apiKey: API_KEY, ...config }, {});
}

/** Float32 keeps about 7 digits of the server's doubles. */
function expectVectors(actual: Float32Array[], texts: string[], dimension = server.dimension): void {
  expect(actual.every((vector) => vector instanceof Float32Array)).toBe(true);
  const wanted = texts.map((text) => serverVector(text, dimension).map((value) => expect.closeTo(value, 6)));
  expect(actual.map((vector) => Array.from(vector))).toEqual(wanted);
}

/** The rejection of `promise`, which must reject. */
async function failureOf(promise: Promise<unknown>): Promise<EmbeddingError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(EmbeddingError);
  return error as EmbeddingError;
}

describe('OpenAIEmbedder', () => {
  it('is named after the model', () => {
    expect(embedder().name).toBe('openai:test-embed');
    expect(embedder().endpoint).toBe(`${server.baseURL}/embeddings`);
  });

  it('shows its endpoint without the credentials a URL may hold', () => {
    const withPassword = server.baseURL.replace('http://', 'http://user:hunter2@');
    expect(embedder({ baseURL: withPassword }).endpoint).toBe(`${server.baseURL}/embeddings`);
  });

  it('sends nothing for no texts', async () => {
    expect(await embedder().embed([])).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('posts the model and the texts with the key, and returns the vectors in input order', async () => {
    const texts = ['first text', 'second text', 'third text'];
    const vectors = await embedder().embed(texts);
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.path).toBe('/v1/embeddings');
    expect(request.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.body).toMatchObject({ model: 'test-embed', input: texts, encoding_format: 'float' });
    expectVectors(vectors, texts);
  });

  it('splits a large input into requests of batchSize texts', async () => {
    const texts = Array.from({ length: 23 }, (_, index) => `sentence number ${index}`);
    const vectors = await embedder({ batchSize: 5 }).embed(texts);
    expect(server.requests.map((request) => (request.body.input as string[]).length)).toEqual([5, 5, 5, 5, 3]);
    expect(server.requests.flatMap((request) => request.body.input)).toEqual(texts);
    expectVectors(vectors, texts);
  });

  it('sends identical texts once', async () => {
    const vectors = await embedder().embed(['same', 'other', 'same']);
    expect(server.requests[0].body.input).toEqual(['same', 'other']);
    expectVectors(vectors, ['same', 'other', 'same']);
  });

  it('learns the dimension from the first answer; init() probes for it once', async () => {
    server.dimension = 12;
    const first = embedder();
    expect(() => first.dimension).toThrow(EmbeddingError);
    await first.embed(['a text']);
    expect(first.dimension).toBe(12);
    await first.init();
    expect(server.requests).toHaveLength(1);

    const second = embedder();
    await Promise.all([second.init(), second.init()]);
    expect(second.dimension).toBe(12);
    expect(server.requests).toHaveLength(2);
  });

  it('asks for `dimensions` when given and knows the dimension without a request', async () => {
    const shortened = embedder({ dimensions: 4 });
    expect(shortened.dimension).toBe(4);
    await shortened.init();
    expect(server.requests).toEqual([]);
    const [vector] = await shortened.embed(['short']);
    expect(server.requests[0].body.dimensions).toBe(4);
    expectVectors([vector], ['short'], 4);
  });

  it('retries a 500 and succeeds', async () => {
    server.responders.push((_, response) => sendJson(response, 500, { error: { message: 'overloaded' } }, { 'retry-after-ms': '1' }));
    const vectors = await embedder({ maxRetries: 2 }).embed(['retry me']);
    expect(server.requests).toHaveLength(2);
    expectVectors(vectors, ['retry me']);
  });

  it('fails with the endpoint and the status when retries run out', async () => {
    for (let i = 0; i < 2; i++) {
      server.responders.push((_, response) => sendJson(response, 503, { error: { message: 'still down' } }, { 'retry-after-ms': '1' }));
    }
    const error = await failureOf(embedder({ maxRetries: 1 }).embed(['x']));
    expect(server.requests).toHaveLength(2);
    expect(error.status).toBe(503);
    expect(error.message).toContain('still down');
  });

  it('fails on a bad status with a message naming the embedder, endpoint and status', async () => {
    server.responders.push((_, response) => sendJson(response, 400, { error: { message: 'input is too long' } }));
    const error = await failureOf(embedder().embed(['way too long']));
    expect(error.code).toBe('SAGE_SERVICE');
    expect(error.status).toBe(400);
    expect(error.endpoint).toBe(`${server.baseURL}/embeddings`);
    expect(error.message).toBe(`openai:test-embed: POST ${server.baseURL}/embeddings failed with status 400: input is too long`);
    expect(server.requests).toHaveLength(1);
  });

  it('never shows the API key, even when the server echoes it', async () => {
    server.responders.push((request, response) =>
      sendJson(response, 401, { error: { message: `invalid key in header "${request.authorization}"` } }),
    );
    const client = embedder();
    const error = await failureOf(client.embed(['x']));
    expect(error.status).toBe(401);
    expect(error.message).toContain('Bearer ****');
    for (const shown of [error.message, error.stack ?? '', JSON.stringify(error.details), inspect(error, { depth: 5 }), inspect(client, { depth: 5 })]) {
      expect(shown).not.toContain(API_KEY);
    }
  });

  it('fails when the server answers the wrong number of vectors', async () => {
    server.responders.push((_, response) =>
      sendJson(response, 200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [1, 2] }], model: 'm' }),
    );
    const error = await failureOf(embedder().embed(['a', 'b']));
    expect(error.message).toContain('answered 1 vectors for 2 texts');
  });

  it('fails when vectors change length', async () => {
    const client = embedder();
    await client.embed(['a']);
    server.dimension = 3;
    const error = await failureOf(client.embed(['b']));
    expect(error.message).toContain('answered a 3-d vector, expected 8-d');
  });

  it('fails naming the endpoint when nothing listens there', async () => {
    const closed = server.baseURL;
    await server.stop();
    server = await new EmbeddingsServer().start();
    const error = await failureOf(new OpenAIEmbedder({ model: 'm', baseURL: closed, maxRetries: 0 }, {}).embed(['x']));
    expect(error.status).toBeUndefined();
    expect(error.message).toContain(`POST ${closed}/embeddings failed: Connection error.`);
  });

  it('fails after timeoutMs when the server does not answer', async () => {
    server.responders.push(() => true);
    const error = await failureOf(embedder({ timeoutMs: 200, maxRetries: 0 }).embed(['x']));
    expect(error.message).toContain('timed out after 200 ms');
  });

  it('takes the base URL and the key from the environment', async () => {
    const fromSage = new OpenAIEmbedder({ model: 'm' }, { SAGE_EMBEDDINGS_BASE_URL: server.baseURL, OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'env-key' });
    await fromSage.embed(['x']);
    const fromOpenAI = new OpenAIEmbedder({ model: 'm' }, { OPENAI_BASE_URL: server.baseURL });
    await fromOpenAI.embed(['y']);
    expect(server.requests.map((request) => request.authorization)).toEqual(['Bearer env-key', expect.stringMatching(/^Bearer \S+$/)]);
    expect(server.requests[1].authorization).not.toContain('env-key');
  });

  it.each([
    [{}, 'model'],
    [{ model: '' }, 'model'],
    [{ model: 'm', baseURL: 'not a url' }, 'baseURL'],
    [{ model: 'm', baseURL: 'ftp://host/v1' }, 'baseURL'],
    [{ model: 'm', apiKey: 42 }, 'apiKey'],
    [{ model: 'm', dimensions: 0 }, 'dimensions'],
    [{ model: 'm', batchSize: 0 }, 'batchSize'],
    [{ model: 'm', timeoutMs: -5 }, 'timeoutMs'],
    [{ model: 'm', maxRetries: 1.5 }, 'maxRetries'],
    [{ model: 'm', retries: 3 }, 'retries'],
  ])('rejects the config %o naming the class and the option', (config, option) => {
    const attempt = () => new OpenAIEmbedder({ baseURL: 'http://127.0.0.1:1/v1', ...config } as never, {});
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/^OpenAIEmbedder: /);
    expect(attempt).toThrow(new RegExp(`"${option}"`));
  });

  it('rejects a base URL from the environment that is not a URL, without showing it', () => {
    const attempt = () => new OpenAIEmbedder({ model: 'm' }, { SAGE_EMBEDDINGS_BASE_URL: '', OPENAI_BASE_URL: 'user:secret@nowhere' });
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/^OpenAIEmbedder: env OPENAI_BASE_URL is not an http\(s\) URL/);
    expect(() => attempt()).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret') }));
  });

  it('needs a key for the OpenAI API itself', () => {
    expect(() => new OpenAIEmbedder({ model: 'text-embedding-3-small' }, {})).toThrow(/^OpenAIEmbedder: .*"apiKey".*OPENAI_API_KEY/);
    expect(() => new OpenAIEmbedder({ model: 'text-embedding-3-small' }, { OPENAI_API_KEY: '' })).toThrow(ValidationError);
    expect(new OpenAIEmbedder({ model: 'text-embedding-3-small' }, { OPENAI_API_KEY: API_KEY }).endpoint).toBe('https://api.openai.com/v1/embeddings');
  });
});
