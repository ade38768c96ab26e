// JSON replies cut off at the token limit, as SmolLM2-135M really wrote them (captured through the recording
// proxy of test/real-model.test.ts), and what closeTruncatedJson keeps of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeTruncatedJson, extractJson } from '../src/llm/client';

const EVAL_CUT =
  '{\n  "scores": {\n    "relevance": 10.5,\n    "completeness" : 8.2,\n    "depth" : 3.4,\n    "specificity" : 7.9,\n' +
  '    "structure" : 6.2\n   \t   \t\t,"groundedness" : 10\n}\n\n,\n"issues": [\n\t"Lingua-Language Models (LLMs) - a wide ' +
  'range of tools",\n\t"grammar and syntax analysis",\n\t';
const PLAN_CUT =
  '{\n  "search_queries": [\n    "Lambas, Portugal",\n    "Sinhos de llama, Espírito de Santa"\n  ]\n\n,\n\n' +
  '"synthesis_notes":\n"Eu não pode utilizar este tipo de query para aquitar no controle de LLM. Nesse caso, o queimos de l';

void test('an evaluator reply cut inside its issue list keeps every score and the finished issues', () => {
  assert.throws(() => extractJson(EVAL_CUT));
  assert.deepEqual(closeTruncatedJson(EVAL_CUT), {
    scores: {
      relevance: 10.5,
      completeness: 8.2,
      depth: 3.4,
      specificity: 7.9,
      structure: 6.2,
      groundedness: 10,
    },
    issues: ['Lingua-Language Models (LLMs) - a wide range of tools', 'grammar and syntax analysis'],
  });
});

void test('a plan cut inside its notes keeps the queries and the notes written so far', () => {
  const v = closeTruncatedJson(PLAN_CUT) as { search_queries: string[]; synthesis_notes: string };
  assert.deepEqual(v.search_queries, ['Lambas, Portugal', 'Sinhos de llama, Espírito de Santa']);
  assert.match(v.synthesis_notes, /^Eu não pode .* o queimos de l$/);
});

void test('a cut after a key, a colon, half a number or half a literal drops that member', () => {
  for (const cut of [
    '{"a": 1, "b',
    '{"a": 1, "b": ',
    '{"a": 1, "b": 1.',
    '{"a": 1, "b": tru',
    '{"a": 1, "b": -',
  ])
    assert.deepEqual(closeTruncatedJson(cut), { a: 1 }, cut);
});

void test('a cut inside nested containers or right after an escape still closes', () => {
  assert.deepEqual(closeTruncatedJson('{"a": {"b": [1, 2'), { a: { b: [1, 2] } });
  assert.deepEqual(closeTruncatedJson('{"q": "say \\"hi\\'), { q: 'say "hi' });
  assert.deepEqual(closeTruncatedJson('{"scores": {'), { scores: {} });
});

void test('text with no JSON in it gives nothing, and whitespace after a complete object is ignored', () => {
  assert.equal(closeTruncatedJson('I cannot answer that.'), undefined);
  assert.deepEqual(closeTruncatedJson('{"a": 1}\n\n\t   \t  \t\t\t'), { a: 1 });
});
