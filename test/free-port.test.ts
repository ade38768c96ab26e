// freePort: the ports the embedded server, the cluster and the tests bind, chosen so nothing takes them in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { freePort } from '../src/temporal/dev-server';

const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });

test('freePort gives distinct ports below the ephemeral range, each of which a server can then bind', async () => {
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 20; i++) ports.push(await freePort('127.0.0.1', taken));
  assert.equal(new Set(ports).size, 20);
  assert.deepEqual([...taken].sort(), [...ports].sort());
  for (const p of ports) assert.ok(p >= 20000 && p < 32000, String(p));
  const servers = await Promise.all(ports.map(listen));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});
