import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';

/** A request as the server saw it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: any;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/** Answers request number `index` (from 0); may leave `response` open forever to play a hung server. */
export type Reply = (request: ReceivedRequest, response: ServerResponse, index: number) => void;

export interface ChatCompletionsServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  requests: ReceivedRequest[];
  /** Resolves when the server has received `count` requests. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (a free port) speaking the part of the OpenAI API the generators use:
 * `POST /v1/chat/completions`. Every request is recorded; `reply` decides the answer.
 */
export async function startChatCompletionsServer(reply: Reply): Promise<ChatCompletionsServer> {
  const requests: ReceivedRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: text === '' ? undefined : JSON.parse(text),
        at: performance.now(),
      };
      requests.push(received);
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        sendJson(response, 404, { error: { message: `no route ${request.method} ${request.url}` } });
      } else {
        reply(received, response, requests.length - 1);
      }
      for (const waiter of waiters.filter((candidate) => requests.length >= candidate.count)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    received: (count) =>
      requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A non-streaming chat completion answering `text`. */
export function completion(model: string, text: string, usage = { prompt_tokens: 0, completion_tokens: 0 }) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  };
}

/** Starts a server-sent event stream; `send` writes one chunk with a content delta, `end` the usage and `[DONE]`. */
export function openEventStream(response: ServerResponse, model: string) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
  const chunk = (choices: unknown[], usage?: unknown) =>
    event({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model, choices, ...(usage ? { usage } : {}) });
  return {
    send: (content: string) => chunk([{ index: 0, delta: { content }, finish_reason: null }]),
    end: (usage?: { prompt_tokens: number; completion_tokens: number }) => {
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
      if (usage) chunk([], { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens });
      response.end('data: [DONE]\n\n');
    },
  };
}

const LLM_ENV = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'SAGE_LLM_BASE_URL', 'SAGE_LLM_MODEL', 'SAGE_LLM_MODEL_PATH'] as const;

/**
 * Clears the environment variables generators read before each test and restores them after it, so that a
 * developer's own OPENAI_API_KEY never reaches a test (nor a test's a developer).
 */
export function useCleanLlmEnv(): void {
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    for (const name of LLM_ENV) {
      saved.set(name, process.env[name]);
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}
