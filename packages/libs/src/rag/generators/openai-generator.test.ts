import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, ValidationError } from '@sage/common';
import { type Clock, type FunctionContext, systemClock } from '@sage/kernel';
import { runOperator, VirtualClock } from '@sage/kernel/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../contracts.js';
import {
  type ChatCompletionsServer,
  completion,
  openEventStream,
  type Reply,
  sendJson,
  startChatCompletionsServer,
  useCleanLlmEnv,
} from './__fixtures__/chat-completions-server.js';
import { GeneratorError } from './generator-error.js';
import { OpenAIGenerator, type OpenAIGeneratorConfig } from './openai-generator.js';

useCleanLlmEnv();

const API_KEY = 'sk-test-4f1c9b2e7a6d';
const MODEL = 'test-model';
const quiet = { logLevel: 'silent' as const, handleSignals: false };

let server: ChatCompletionsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(reply: Reply): Promise<ChatCompletionsServer> {
  server = await startChatCompletionsServer(reply);
  return server;
}

function generatorFor(running: ChatCompletionsServer, config: OpenAIGeneratorConfig = {}): OpenAIGenerator {
  return new OpenAIGenerator({ baseURL: running.baseURL, apiKey: API_KEY, model: MODEL, ...config });
}

/** The server's answer: computed from the request, so a test sees that the prompt went out and the answer came back. */
function echo(body: { messages: ChatMessage[] }): string {
  return `echo: ${body.messages.at(-1)!.content}`;
}
function wordCount(messages: ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + message.content.split(/\s+/).length, 0);
}

const echoing: Reply = (request, response) => {
  const answer = echo(request.body);
  const usage = { prompt_tokens: wordCount(request.body.messages), completion_tokens: answer.split(' ').length };
  sendJson(response, 200, completion(request.body.model, answer, usage));
};

const prompt: ChatMessage[] = [
  { role: 'system', content: 'Answer from the context.' },
  { role: 'user', content: 'What is the capital of France?' },
];

/** A clock that runs on real time and remembers every wait it was asked for. */
function recordingClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  const schedule = (ms: number, callback: () => void) => {
    waits.push(ms);
    return systemClock.schedule(ms, callback);
  };
  return { waits, now: systemClock.now, schedule };
}

async function failure(promise: Promise<unknown>): Promise<GeneratorError> {
  const error = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(GeneratorError);
  return error as GeneratorError;
}

describe('OpenAIGenerator', () => {
  it('answers a prompt record: generated, usage, generator and its timing; other fields pass through', async () => {
    const running = await serve(echoing);
    const records = [{ query: 'capital of France?', prompt, references: ['Paris'] }];
    const tokens: string[] = [];
    const onToken = (token: string) => tokens.push(token);
    const config = { baseURL: running.baseURL, apiKey: API_KEY, model: MODEL, temperature: 0.2, maxTokens: 64, onToken };
    const { output } = await runOperator('map', OpenAIGenerator, { records, config, environment: quiet });

    expect(output).toHaveLength(1);
    const [record] = output;
    expect(record.generated).toBe(echo({ messages: prompt }));
    expect(record.usage).toEqual({ promptTokens: wordCount(prompt), completionTokens: record.generated.split(' ').length });
    expect(record.generator).toBe(`openai:${MODEL}`);
    expect(record.references).toEqual(['Paris']);
    expect(record.timings.OpenAIGenerator).toBeGreaterThanOrEqual(0);
    expect(tokens).toEqual([record.generated]);

    const [request] = running.requests;
    expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request!.body).toMatchObject({ model: MODEL, messages: prompt, temperature: 0.2, max_tokens: 64 });
    expect(request!.body.stream).toBeFalsy();
  });

  it('answers many records with several requests in flight', async () => {
    const running = await serve((request, response) => setTimeout(() => echoing(request, response, 0), 20));
    const records = Array.from({ length: 8 }, (_, index) => ({
      query: `q${index}`,
      prompt: [{ role: 'user' as const, content: `question ${index}` }],
    }));
    const config = { baseURL: running.baseURL, apiKey: API_KEY, model: MODEL };
    const { output } = await runOperator('map', OpenAIGenerator, { records, config, environment: quiet, options: { concurrency: 4 } });

    expect(output.map((record) => record.generated)).toEqual(records.map((record) => echo({ messages: record.prompt })));
    expect(running.requests).toHaveLength(8);
  });

  it('streams: concatenates the deltas, hands them to onToken in order, and reads the usage', async () => {
    const pieces = ['The capital', ' of France', ' is', ' Paris.'];
    const running = await serve((request, response) => {
      const events = openEventStream(response, request.body.model);
      for (const piece of pieces) events.send(piece);
      events.end({ prompt_tokens: wordCount(request.body.messages), completion_tokens: pieces.length });
    });
    const tokens: string[] = [];
    const generator = generatorFor(running, { stream: true, onToken: (token) => tokens.push(token) });

    const generation = await generator.generate(prompt);

    expect(tokens).toEqual(pieces);
    expect(generation.text).toBe(pieces.join(''));
    expect(generation.usage).toEqual({ promptTokens: wordCount(prompt), completionTokens: pieces.length });
    expect(running.requests[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('stream() yields the pieces as an async iterable', async () => {
    const running = await serve((request, response) => {
      const events = openEventStream(response, request.body.model);
      for (const word of echo(request.body).split(/(?= )/)) events.send(word);
      events.end();
    });
    const pieces: string[] = [];
    for await (const piece of generatorFor(running).stream(prompt)) pieces.push(piece);

    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(echo({ messages: prompt }));
  });

  it('retries a stream that fails before its first piece', async () => {
    const running = await serve((request, response, index) => {
      if (index === 0) return sendJson(response, 502, { error: { message: 'bad gateway' } });
      const events = openEventStream(response, request.body.model);
      events.send('Paris.');
      events.end();
    });
    const tokens: string[] = [];
    const generation = await generatorFor(running, { stream: true, retryDelayMs: 1, onToken: (token) => tokens.push(token) }).generate(prompt);

    expect(running.requests).toHaveLength(2);
    expect(tokens).toEqual(['Paris.']);
    expect(generation).toEqual({ text: 'Paris.' });
  });

  it('stops a stream when the caller aborts, after handing on what came', async () => {
    const running = await serve((request, response) => openEventStream(response, request.body.model).send('Par'));
    const controller = new AbortController();
    const tokens: string[] = [];
    const onToken = (token: string) => {
      tokens.push(token);
      controller.abort();
    };
    const error = await failure(generatorFor(running, { stream: true }).generate(prompt, { signal: controller.signal, onToken }));

    expect(tokens).toEqual(['Par']);
    expect(error.failure).toBe('aborted');
  });

  it('waits what Retry-After asks after a 429, then succeeds', async () => {
    const running = await serve((request, response, index) => {
      if (index === 0) sendJson(response, 429, { error: { message: 'slow down' } }, { 'retry-after': '1' });
      else echoing(request, response, index);
    });
    const clock = recordingClock();
    const generation = await generatorFor(running, { clock, retryDelayMs: 1 }).generate(prompt);

    expect(generation.text).toBe(echo({ messages: prompt }));
    expect(running.requests).toHaveLength(2);
    expect(clock.waits).toContain(1000);
    expect(running.requests[1]!.at - running.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries a 500 twice with backoff, then succeeds', async () => {
    const running = await serve((request, response, index) => {
      if (index < 2) sendJson(response, 500, { error: { message: 'overloaded' } });
      else echoing(request, response, index);
    });
    const clock = recordingClock();
    const generation = await generatorFor(running, { clock, maxRetries: 2, retryDelayMs: 20 }).generate(prompt);

    expect(generation.text).toBe(echo({ messages: prompt }));
    expect(running.requests).toHaveLength(3);
    // Backoff waits are scheduled besides the per-request timeouts (60 000 ms by default).
    const backoffs = clock.waits.filter((ms) => ms !== 60_000);
    expect(backoffs).toHaveLength(2);
    expect(backoffs[0]).toBeGreaterThanOrEqual(10);
    expect(backoffs[0]).toBeLessThanOrEqual(20);
    expect(backoffs[1]).toBeGreaterThanOrEqual(20);
    expect(backoffs[1]).toBeLessThanOrEqual(40);
  });

  it('gives up after maxRetries with the last status', async () => {
    const running = await serve((_request, response) => sendJson(response, 503, { error: { message: 'down for maintenance' } }));
    const error = await failure(generatorFor(running, { maxRetries: 2, retryDelayMs: 1 }).generate(prompt));

    expect(running.requests).toHaveLength(3);
    expect(error).toMatchObject({ failure: 'status', status: 503, attempts: 3, code: 'SAGE_SERVICE' });
    expect(error.message).toContain('after 3 attempts');
    expect(error.message).toContain('down for maintenance');
  });

  it('fails at once on a 400, naming the endpoint, the status and the model', async () => {
    const running = await serve((_request, response) =>
      sendJson(response, 400, { error: { message: 'unknown parameter', type: 'invalid_request_error' } }),
    );
    const error = await failure(generatorFor(running, { maxRetries: 5 }).generate(prompt));

    expect(running.requests).toHaveLength(1);
    expect(error).toMatchObject({ failure: 'status', status: 400, attempts: 1, model: MODEL });
    expect(error.endpoint).toBe(`${running.baseURL}/chat/completions`);
    expect(error.message).toContain(`${running.baseURL}/chat/completions`);
    expect(error.message).toContain('HTTP 400');
    expect(error.message).toContain(`model "${MODEL}"`);
    expect(error.message).toContain('unknown parameter');
  });

  it('times out within timeoutMs when the server never answers, without retrying', async () => {
    const running = await serve(() => {});
    const started = performance.now();
    const error = await failure(generatorFor(running, { timeoutMs: 300, maxRetries: 3 }).generate(prompt));
    const elapsed = performance.now() - started;

    expect(error.failure).toBe('timeout');
    expect(error.message).toContain('within 300 ms');
    expect(error.message).toContain(running.baseURL);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(300 + 1500);
    expect(running.requests).toHaveLength(1);
  });

  it('times out on the injected clock: not a moment before timeoutMs', async () => {
    const running = await serve(() => {});
    const clock = new VirtualClock();
    let settled = false;
    const pending = failure(generatorFor(running, { clock, timeoutMs: 5000 }).generate(prompt)).finally(() => {
      settled = true;
    });
    await running.received(1);
    clock.advance(4999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);

    clock.advance(1);
    const error = await pending;
    expect(error.failure).toBe('timeout');
  });

  it('times out a stream that stops sending, after handing on what came', async () => {
    const running = await serve((request, response) => openEventStream(response, request.body.model).send('Par'));
    const tokens: string[] = [];
    const generator = generatorFor(running, { stream: true, timeoutMs: 300, onToken: (token) => tokens.push(token) });
    const error = await failure(generator.generate(prompt));

    expect(tokens).toEqual(['Par']);
    expect(error.failure).toBe('timeout');
    expect(error.message).toContain('no next chunk within 300 ms');
  });

  it('stops when the caller aborts', async () => {
    const running = await serve(() => {});
    const controller = new AbortController();
    const pending = failure(generatorFor(running).generate(prompt, { signal: controller.signal }));
    await running.received(1);
    controller.abort();
    expect((await pending).failure).toBe('aborted');
  });

  it('reports an endpoint it cannot reach as a connection failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const generator = new OpenAIGenerator({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: API_KEY, model: MODEL, maxRetries: 0 });
    const error = await failure(generator.generate(prompt));

    expect(error.failure).toBe('connection');
    expect(error.message).toContain(`http://127.0.0.1:${port}/v1/chat/completions`);
  });

  it('never shows the API key, even when the server echoes it', async () => {
    const running = await serve((request, response, index) => {
      const status = index === 0 ? 500 : 401;
      sendJson(response, status, { error: { message: `bad credentials: ${request.headers.authorization}` } });
    });
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    const generator = generatorFor(running, { maxRetries: 1, retryDelayMs: 1 });
    generator.ctx = { logger } as FunctionContext;
    const error = await failure(generator.generate(prompt));

    expect(running.requests[1]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(error.status).toBe(401);
    expect(error.message).toContain('bad credentials: Bearer [redacted]');
    expect(error.message).not.toContain(API_KEY);
    expect(JSON.stringify(error.details)).not.toContain(API_KEY);
    expect(String(error.stack)).not.toContain(API_KEY);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain(API_KEY);
  });

  it('sends no Authorization header to a local server when there is no key', async () => {
    const running = await serve(echoing);
    const generation = await new OpenAIGenerator({ baseURL: running.baseURL, model: MODEL }).generate(prompt);

    expect(generation.text).toBe(echo({ messages: prompt }));
    expect(running.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('takes the endpoint, model and key from SAGE_LLM_BASE_URL, SAGE_LLM_MODEL and OPENAI_API_KEY', async () => {
    const running = await serve(echoing);
    process.env.SAGE_LLM_BASE_URL = running.baseURL;
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1';
    process.env.SAGE_LLM_MODEL = 'env-model';
    process.env.OPENAI_API_KEY = API_KEY;
    const generator = new OpenAIGenerator();
    await generator.generate(prompt);

    expect(generator.name).toBe('openai:env-model');
    expect(running.requests[0]!.body.model).toBe('env-model');
    expect(running.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('defaults to OpenAI with gpt-4o-mini, which needs a key', () => {
    expect(() => new OpenAIGenerator()).toThrow(/^OpenAIGenerator: option "apiKey": required by https:\/\/api\.openai\.com\/v1\/chat\/completions/);
    const generator = new OpenAIGenerator({ apiKey: API_KEY });
    expect(generator.name).toBe('openai:gpt-4o-mini');
    expect(generator.endpoint).toBe('https://api.openai.com/v1/chat/completions');
  });

  it('keeps credentials in a base URL out of the endpoint it shows', () => {
    const generator = new OpenAIGenerator({ baseURL: 'http://user:secret@127.0.0.1:8000/v1/?token=abc' });
    expect(generator.endpoint).toBe('http://127.0.0.1:8000/v1/chat/completions');
  });

  it('rejects a bad config naming the class and the option', () => {
    expect(() => new OpenAIGenerator({ apiKey: API_KEY, timeoutMs: '5s' as never })).toThrow(
      /^OpenAIGenerator: option "timeoutMs": .*expected number/,
    );
    expect(() => new OpenAIGenerator({ apiKey: API_KEY, temperature: 3 })).toThrow(/^OpenAIGenerator: option "temperature"/);
    expect(() => new OpenAIGenerator({ apiKey: API_KEY, baseURL: 'ftp://host/v1' })).toThrow(/^OpenAIGenerator: option "baseURL"/);
    expect(() => new OpenAIGenerator({ apiKey: API_KEY, onToken: 'print' as never })).toThrow(/^OpenAIGenerator: option "onToken"/);
    expect(() => new OpenAIGenerator({ apiKey: API_KEY, temprature: 0 } as never)).toThrow(/^OpenAIGenerator: config: .*"temprature"/);
    process.env.SAGE_LLM_BASE_URL = 'localhost:8000';
    expect(() => new OpenAIGenerator()).toThrow(ValidationError);
    expect(() => new OpenAIGenerator()).toThrow(/^OpenAIGenerator: env SAGE_LLM_BASE_URL: expected an http\(s\) URL/);
  });

  it('rejects a record without a prompt, naming the class and the field', async () => {
    const generator = new OpenAIGenerator({ apiKey: API_KEY });
    await expect(generator.execute({ query: 'q' })).rejects.toThrow(/^OpenAIGenerator: record\.prompt: /);
    await expect(generator.execute({ query: 'q', prompt: [] })).rejects.toThrow(/^OpenAIGenerator: record\.prompt: /);
    await expect(generator.execute({ query: 'q', prompt: [{ role: 'robot', content: 'x' }] })).rejects.toThrow(
      /^OpenAIGenerator: record\.prompt\.0\.role: /,
    );
  });
});
