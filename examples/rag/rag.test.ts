import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));

/** Runs the example as the README says, offline: no LLM configured, the database in a temp directory. */
function runRag(dbPath: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const env: NodeJS.ProcessEnv = { ...process.env, SAGE_DB_PATH: dbPath, SAGE_LOG_LEVEL: 'warn' };
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'SAGE_LLM_BASE_URL', 'SAGE_LLM_MODEL_PATH', 'SAGE_LLM_MODEL']) delete env[name];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join('examples', 'rag', 'rag.ts')], { cwd: repositoryRoot, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error === null ? 0 : typeof error.code === 'number' ? error.code : null });
    });
  });
}

describe('examples/rag', () => {
  const dbPath = mkdtempSync(join(tmpdir(), 'sage-rag-example-'));
  afterAll(() => rmSync(dbPath, { recursive: true, force: true }));

  it('indexes the corpus once, then answers every question with sources and timings, offline', { timeout: 240_000 }, async () => {
    const questions = readFileSync(join(here, 'questions.txt'), 'utf8').trim().split('\n');
    const expected = new Map(
      readFileSync(join(here, 'eval.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { query: string; references: string[] })
        .map((entry) => [entry.query, entry.references[0]!]),
    );

    const first = await runRag(dbPath);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/indexed 50 documents as \d+ chunks in [\d.]+ s/);
    // The extractive fallback is announced once, not once per question.
    expect(first.stderr.match(/falling back to the extractive answerer/g)).toHaveLength(1);

    const blocks = first.stdout.trim().split(/\n(?=Q: )/);
    expect(blocks.map((block) => block.split('\n')[0])).toEqual(questions.map((question) => `Q: ${question}`));
    let correct = 0;
    for (const [index, block] of blocks.entries()) {
      const [, answer, sources, timings] = block.split('\n');
      expect(answer).toMatch(/^A: \S/);
      expect(sources).toMatch(/^ {3}sources: \[1\] \S+\.md/);
      expect(timings).toMatch(/^ {3}timings: DenseRetriever [\d.]+ ms · QAPromptor [\d.]+ ms · AutoGenerator [\d.]+ ms$/);
      if (answer!.includes(expected.get(questions[index]!)!)) correct++;
    }
    // Dense retrieval with the small offline embedder and an extractive answerer: most, not all, are right.
    expect(correct).toBeGreaterThanOrEqual(6);

    const second = await runRag(dbPath);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toMatch(/indexed/);
    // Same answers from the stored index (only the timings differ).
    const withoutTimings = (text: string) => text.replace(/timings: .*/g, 'timings');
    expect(withoutTimings(second.stdout)).toBe(withoutTimings(first.stdout));
  });
});
