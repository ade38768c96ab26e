// Imports merged safetensors weights into Ollama as a new model, with the base model's chat template and stops.
import fs from 'node:fs';
import path from 'node:path';
import { runLogged } from '../util/tool-cache';

interface ShowReply {
  template?: string;
  parameters?: string;
}

/** `ollama create <name>` from `weightsDir` (a safetensors folder); TEMPLATE and PARAMETERs copied from `baseModel`. */
export async function importIntoOllama(opts: {
  host: string;
  ollamaPath: string;
  name: string;
  weightsDir: string;
  baseModel: string;
}): Promise<void> {
  const res = await fetch(new URL('/api/show', opts.host), {
    method: 'POST',
    body: JSON.stringify({ model: opts.baseModel }),
  });
  if (!res.ok) throw new Error(`ollama show ${opts.baseModel}: HTTP ${res.status}`);
  const base = (await res.json()) as ShowReply;
  const lines = [`FROM ${path.resolve(opts.weightsDir)}`];
  if (base.template) lines.push(`TEMPLATE """${base.template}"""`);
  for (const p of (base.parameters ?? '').split('\n')) {
    const m = /^(\S+)\s+(.+)$/.exec(p.trim());
    if (m) lines.push(`PARAMETER ${m[1]} ${m[2]}`);
  }
  const modelfile = path.join(opts.weightsDir, 'Modelfile');
  fs.writeFileSync(modelfile, `${lines.join('\n')}\n`);
  const hostPort = new URL(opts.host).host;
  await runLogged(opts.ollamaPath, ['create', opts.name, '-f', modelfile], {
    label: `ollama create ${opts.name}`,
    quiet: true,
    env: { ...process.env, OLLAMA_HOST: hostPort },
  });
}
