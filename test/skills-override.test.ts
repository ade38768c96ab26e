// Prompt-override skills: a task that names one gets its text in the synthesize stage's instructions.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { listSkills, stageOverride } from '../src/skills/registry';
import { MODELS, stopOwnServer } from './support/harness-env';
import { withHarnessEnv } from './support/harness-checks';
import {
  dims,
  draft,
  evalReply,
  scriptEvaluator,
  scriptPlanner,
  scriptProducer,
  startRun,
} from './support/harness-scenarios';

after(() => stopOwnServer());

const overrideSkills = listSkills().filter((s) => s.promptOverride !== null);

describe('prompt-override skills', () => {
  test('every advertised override names a stage that applies it', () => {
    assert.deepEqual(
      overrideSkills.map((s) => [s.name, s.promptOverride!.stage]),
      [
        ['deep-synthesis', 'synthesize'],
        ['strict-citations', 'synthesize'],
      ],
    );
    assert.equal(stageOverride('survey tool use', 'synthesize'), null);
    assert.equal(stageOverride('/strict-citations survey tool use', 'plan'), null);
  });

  for (const skill of overrideSkills) {
    test(`a run with /${skill.name} sends its override text to the producer at synthesis, and a plain run does not`, async () => {
      await withHarnessEnv({}, async (env) => {
        scriptPlanner(env.ollama);
        scriptProducer(env.ollama, [draft(1)]);
        scriptEvaluator(env.ollama, [evalReply(dims(9), 'none')]);
        await (await startRun(env, {}, `/${skill.name} survey tool use in LLM agents`)).result();
        await (await startRun(env, {}, 'survey tool use in LLM agents')).result();
        const systems = env.ollama.requests
          .filter((q) => q.endpoint === 'chat' && q.model === MODELS.producer)
          .map((q) => String((q.body.messages as { role: string; content: string }[])[0].content));
        assert.equal(systems.length, 2);
        assert.ok(
          systems[0].includes(skill.promptOverride!.text),
          'the override reaches the synthesize prompt',
        );
        assert.ok(!systems[1].includes(skill.promptOverride!.text), 'a plain task gets no override');
      });
    });
  }
});
