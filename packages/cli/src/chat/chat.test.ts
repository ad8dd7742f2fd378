import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SageDB } from '@sage/middleware';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDirectory, memoryIo, removeDirectory } from '../__fixtures__/memory-io.js';
import { runCli } from '../cli.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { CHAT_COLLECTION } from './chat-index.js';

const FAST = ['--embedder', 'hashing-256', '--docs', 'corpus'];
const FILTER_SENTENCE = 'To filter a search, pass a metadata filter such as `{ year: { $gte: 2020 } }` to the retriever.';

describe('sage chat', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = makeTempDirectory('sage-chat-');
    mkdirSync(join(cwd, 'corpus', 'guides'), { recursive: true });
    writeFileSync(join(cwd, 'corpus', 'search.md'), `# Searching\n\n${FILTER_SENTENCE} Hybrid search fuses vector and keyword results.\n`);
    writeFileSync(join(cwd, 'corpus', 'guides', 'install.md'), '# Installing\n\nInstall the command line with pnpm. The doctor command checks the machine.\n');
    writeFileSync(join(cwd, 'corpus', 'rivers.md'), '# Rivers\n\nThe Danube flows through ten countries. It ends in the Black Sea.\n');
  });
  afterEach(() => removeDirectory(cwd));

  it('answers --ask from the docs and lists the sources, building the index on first use', async () => {
    const io = memoryIo(cwd);
    const code = await runCli(['chat', '--ask', 'How do I filter a search?', ...FAST], io);
    expect(io.stderrText()).toContain(`building the docs index in ${join(cwd, '.sage', 'chat')} (first use)`);
    expect(io.stderrText()).toMatch(/indexed 3 documents as 3 chunks in [\d.]+ s\n/);
    expect(io.stderrText()).toContain('note: no LLM is configured: falling back to the extractive answerer');
    expect(code).toBe(EXIT_OK);
    const [answer, sources] = io.stdoutText().split('\n');
    expect(answer).toContain(FILTER_SENTENCE);
    expect(sources).toMatch(/^sources: \[1\] search\.md\* · \[2\] /);
    expect(io.stdoutText().endsWith('\n')).toBe(true);

    const db = await SageDB.open(join(cwd, '.sage', 'chat'));
    const info = await db.describeCollection(CHAT_COLLECTION);
    expect(info.count).toBe(3);
    expect(info.metadata).toMatchObject({ embedder: 'hashing-256', chunks: 3, fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await db.close();
  });

  it('reuses the index on the next run, and rebuilds it when a doc changed or with --rebuild', async () => {
    expect(await runCli(['chat', '--ask', 'Where does the Danube end?', ...FAST], memoryIo(cwd))).toBe(EXIT_OK);

    const again = memoryIo(cwd);
    expect(await runCli(['chat', '--ask', 'Where does the Danube end?', ...FAST], again)).toBe(EXIT_OK);
    expect(again.stderrText()).not.toContain('building');
    expect(again.stderrText()).not.toContain('indexed');
    expect(again.stdoutText()).toContain('It ends in the Black Sea.');

    writeFileSync(join(cwd, 'corpus', 'rivers.md'), '# Rivers\n\nThe Danube flows through ten countries. It ends in a delta in Romania.\n');
    const changed = memoryIo(cwd);
    expect(await runCli(['chat', '--ask', 'Where does the Danube end?', ...FAST], changed)).toBe(EXIT_OK);
    expect(changed.stderrText()).toContain('(the docs changed)');
    expect(changed.stderrText()).toMatch(/indexed 3 documents as 3 chunks/);
    expect(changed.stdoutText()).toContain('It ends in a delta in Romania.');
    expect(changed.stdoutText()).not.toContain('Black Sea');

    const forced = memoryIo(cwd);
    expect(await runCli(['chat', '--ask', 'Where does the Danube end?', '--rebuild', ...FAST], forced)).toBe(EXIT_OK);
    expect(forced.stderrText()).toContain('(--rebuild)');
  });

  it('keeps the index where --db says', async () => {
    const io = memoryIo(cwd);
    expect(await runCli(['chat', '--ask', 'How do I install it?', '--db', 'elsewhere', ...FAST], io)).toBe(EXIT_OK);
    expect(io.stderrText()).toContain(`building the docs index in ${join(cwd, 'elsewhere')} (first use)`);
    expect(io.stdoutText()).toContain('guides/install.md');
  });

  it('answers each line of stdin until EOF', async () => {
    const io = { ...memoryIo(cwd), stdin: Readable.from(['How do I filter a search?\n\nWhere does the Dan', 'ube end?\n']) };
    expect(await runCli(['chat', ...FAST], io)).toBe(EXIT_OK);
    const out = io.stdoutText();
    expect(out.match(/^sources: /gm)).toHaveLength(2);
    expect(out.indexOf(FILTER_SENTENCE)).toBeGreaterThanOrEqual(0);
    expect(out.indexOf('It ends in the Black Sea.')).toBeGreaterThan(out.indexOf(FILTER_SENTENCE));
  });

  it('stops at "exit"', async () => {
    const io = { ...memoryIo(cwd), stdin: Readable.from(['Where does the Danube end?\nexit\nHow do I filter a search?\n']) };
    expect(await runCli(['chat', ...FAST], io)).toBe(EXIT_OK);
    expect(io.stdoutText().match(/^sources: /gm)).toHaveLength(1);
    expect(io.stdoutText()).not.toContain(FILTER_SENTENCE);
  });

  it('fails clearly when there are no docs, and rejects bad options as usage errors', async () => {
    mkdirSync(join(cwd, 'empty'));
    const io = memoryIo(cwd);
    expect(await runCli(['chat', '--ask', 'anything', '--docs', 'empty', '--embedder', 'hashing-256'], io)).toBe(EXIT_FAILURE);
    expect(io.stderrText()).toBe(`sage chat: cannot find the docs to answer from: no Markdown files in ${join(cwd, 'empty')}\n`);

    const bad = memoryIo(cwd);
    expect(await runCli(['chat', '--embedder', 'word2vec'], bad)).toBe(EXIT_USAGE);
    expect(bad.stderrText()).toContain('unknown embedder "word2vec"');
    expect(await runCli(['chat', '--ask'], memoryIo(cwd))).toBe(EXIT_USAGE);
  });

  describe('with an OpenAI-compatible server', () => {
    const TOKENS = ['Pass ', 'a ', '`filter` ', 'to the ', 'retriever. [1]'];
    let server: Server;
    let baseURL: string;
    const bodies: any[] = [];

    beforeEach(async () => {
      // A developer's own key or model must not reach the test server.
      vi.stubEnv('OPENAI_API_KEY', '');
      vi.stubEnv('SAGE_LLM_MODEL', '');
      bodies.length = 0;
      server = createServer((request, response) => {
        let text = '';
        request.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        request.on('end', async () => {
          bodies.push(JSON.parse(text));
          if (request.url !== '/v1/chat/completions') {
            response.writeHead(404).end();
            return;
          }
          response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          const event = (delta: object, finish: string | null = null) =>
            response.write(
              `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'tiny', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
            );
          for (const token of TOKENS) {
            event({ content: token });
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          event({}, 'stop');
          response.end('data: [DONE]\n\n');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    });
    afterEach(async () => {
      vi.unstubAllEnvs();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('streams the answer to stdout token by token, then the sources', async () => {
      const writes: string[] = [];
      const io = { ...memoryIo(cwd, { SAGE_LLM_BASE_URL: baseURL, SAGE_LLM_MODEL: 'tiny' }), stdout: { write: (text: string) => writes.push(text) } };
      expect(await runCli(['chat', '--ask', 'How do I filter a search?', ...FAST], io)).toBe(EXIT_OK);
      expect(io.stderrText()).not.toContain('extractive');
      expect(writes.slice(0, TOKENS.length)).toEqual(TOKENS);
      expect(writes.join('')).toMatch(/^Pass a `filter` to the retriever\. \[1\]\nsources: \[1\] search\.md · \[2\] /);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatchObject({ model: 'tiny', stream: true });
      expect(bodies[0].messages.at(-1).content).toContain(FILTER_SENTENCE);
      expect(bodies[0].messages.at(-1).content).toContain('Question: How do I filter a search?');
    });
  });
});

describe('sage chat over the project docs', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = makeTempDirectory('sage-chat-');
  });
  afterEach(() => removeDirectory(cwd));

  it('answers from README.md and docs/ of the repository', async () => {
    const io = memoryIo(cwd);
    expect(await runCli(['chat', '--ask', 'How do I filter a search?', '--embedder', 'hashing-256'], io)).toBe(EXIT_OK);
    expect(io.stderrText()).toMatch(/indexed \d+ documents as \d+ chunks/);
    const [answer, sources] = io.stdoutText().split('\n');
    expect(answer).toMatch(/filter/i);
    expect(sources).toMatch(/^sources: \[1\] (README|docs\/[\w/-]+)\.md/);
  });
});
