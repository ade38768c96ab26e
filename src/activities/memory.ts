import { MemoryStore } from '../memory/store';
import { cosine } from '../llm/client';
import { loadSynthInstructions, runSynthRel } from '../harness/prompts';
import { scanAndRecord } from '../security/events';
import { activityLlm, readDataFile, workRel, writeDataFile, type ActivityDeps } from './deps';
import type { StageArgs } from './types';

/** Memory: read relevant memories before planning; store a short summary with its score after the run. */
export function memoryActivities({ settings }: ActivityDeps) {
  const llm = activityLlm(settings);
  const dataDir = settings.dataDir;
  /** Memories saved without an embedding (model server down, text edited on the dashboard) are embedded here. */
  const embedMissing = async (store: MemoryStore, model: string) => {
    const missing = store.unembedded();
    for (let i = 0; i < missing.length; i += 32) {
      const batch = missing.slice(i, i + 32);
      const vecs = await llm.embed({
        model,
        input: batch.map((m) => m.text),
      });
      batch.forEach((m, k) => store.update(m.id, { embedding: vecs[k] }));
    }
  };
  return {
    async recallMemories(
      a: StageArgs & { task: string; embedModel: string; limit?: number },
    ): Promise<{ memoryPath: string; ids: string[] }> {
      const store = new MemoryStore(dataDir);
      try {
        if (a.limit !== 0) await embedMissing(store, a.embedModel);
        const all = a.limit === 0 ? [] : store.all().filter((m) => m.embedding);
        let picked: { id: string; text: string; score: number | null; similarity: number }[] = [];
        if (all.length) {
          const [q] = await llm.embed({
            model: a.embedModel,
            input: [a.task],
          });
          picked = all
            .map((m) => ({
              id: m.id,
              text: m.text,
              score: m.score,
              similarity: cosine(q, m.embedding!) * (0.5 + m.quality / 20),
            }))
            .filter((m) => m.similarity > 0.3)
            .sort((x, y) => y.similarity - x.similarity)
            .slice(0, a.limit ?? 5);
          store.markRetrieved(picked.map((m) => m.id));
        }
        // The run's context, pinned where every stage worker can read it: the synth instructions in force now.
        writeDataFile(dataDir, runSynthRel(a.runId), JSON.stringify(loadSynthInstructions(dataDir), null, 1));
        const memoryPath = writeDataFile(
          dataDir,
          workRel(a.runId, 'memory.json'),
          JSON.stringify(picked, null, 1),
        );
        return { memoryPath, ids: picked.map((m) => m.id) };
      } finally {
        store.close();
      }
    },

    async storeMemory(
      a: StageArgs & { task: string; outputPath: string; score: number; embedModel: string },
    ): Promise<{ memoryId: string | null }> {
      const output = readDataFile(dataDir, a.outputPath);
      const summary = `Task: ${a.task}\nScore: ${a.score}\n${output.replace(/\s+/g, ' ').slice(0, 600)}`;
      const scan = await scanAndRecord(dataDir, summary, { runId: a.runId, layer: 'memory_write' });
      if (scan.verdict === 'block') return { memoryId: null };
      const [vec] = await llm.embed({
        model: a.embedModel,
        input: [summary],
      });
      const store = new MemoryStore(dataDir);
      try {
        return {
          memoryId: store.add({
            text: summary,
            run_id: a.runId,
            task: a.task,
            score: a.score,
            embedding: vec,
          }).id,
        };
      } finally {
        store.close();
      }
    },
  };
}
