import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashString } from '@sage/common';

/** What the server saw of one request. */
export interface SeenRequest {
  path: string;
  authorization: string | undefined;
  body: { model?: unknown; input?: unknown; encoding_format?: unknown; dimensions?: unknown };
}

/** Answers one request; return nothing to get the default answer (vectors for every input). */
export type Responder = (request: SeenRequest, response: ServerResponse) => boolean | undefined;

/** The deterministic vector the server gives `text`, so that tests can compute what to expect. */
export function serverVector(text: string, dimension: number): number[] {
  return Array.from({ length: dimension }, (_, index) => (hashString(`${index}:${text}`) % 2001) / 1000 - 1);
}

/**
 * A real OpenAI-compatible `/v1/embeddings` server on 127.0.0.1 (a free port), for testing the client over
 * HTTP. It records every request; `responders` answer the next requests in turn (errors, slow answers), then
 * it answers normally with `serverVector`s, listed in reverse so the client has to order them by `index`.
 */
export class EmbeddingsServer {
  readonly requests: SeenRequest[] = [];
  readonly responders: Responder[] = [];
  dimension = 8;
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  get baseURL(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const seen: SeenRequest = {
      path: request.url ?? '',
      authorization: request.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
    };
    this.requests.push(seen);
    if (this.responders.shift()?.(seen, response)) return;
    if (seen.path !== '/v1/embeddings' || !Array.isArray(seen.body.input) || typeof seen.body.model !== 'string') {
      sendJson(response, 400, { error: { message: `bad request to ${seen.path}` } });
      return;
    }
    const dimension = typeof seen.body.dimensions === 'number' ? seen.body.dimensions : this.dimension;
    const data = seen.body.input.map((text: string, index: number) => ({
      object: 'embedding',
      index,
      embedding: serverVector(text, dimension),
    }));
    sendJson(response, 200, { object: 'list', model: seen.body.model, data: data.reverse(), usage: { prompt_tokens: 1, total_tokens: 1 } });
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
  return true;
}
