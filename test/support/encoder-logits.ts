// Child process for test/security-encoder.test.ts: loads the model file argv[2] with the session options given as JSON
// in argv[3] and prints the logits of the token rows given as JSON on stdin. Imports only onnxruntime, so it starts
// quickly under a CPU emulator.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';

void (async () => {
  const model = process.argv[2];
  const options = JSON.parse(process.argv[3]) as ort.InferenceSession.SessionOptions;
  const rows = JSON.parse(fs.readFileSync(0, 'utf8')) as number[][];
  const session = await ort.InferenceSession.create(model, options);
  const logits: number[] = [];
  for (const row of rows) {
    const shape = [1, row.length];
    const res = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(row, BigInt), shape),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(row.length).fill(1n), shape),
    });
    logits.push((res.logits.data as Float32Array)[0]);
  }
  process.stdout.write(JSON.stringify(logits));
})();
