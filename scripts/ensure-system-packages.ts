// The Debian packages the tests need that nothing else installs on demand: Chromium (dashboard browser tests),
// python3-venv (the project's Python environments), a C/C++ compiler (the Ollama build) and qemu-user (the encoder's
// scores on another CPU). Installed with apt-get as root or with passwordless sudo; otherwise the error names the
// command to run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { aptInstall } from '../src/util/apt';

const works = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

const NEEDS: { pkg: string; present: () => boolean }[] = [
  {
    pkg: 'chromium',
    present: () =>
      [process.env.FLYWHEEL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].some(
        (p) => p && fs.existsSync(p),
      ),
  },
  { pkg: 'python3-venv', present: () => works('python3', ['-c', 'import ensurepip, venv']) },
  { pkg: 'g++', present: () => works('gcc', ['--version']) && works('g++', ['--version']) },
  // An emulated x86 CPU without VNNI, on which the injection encoder's scores are tested (x86 hosts only).
  { pkg: 'qemu-user', present: () => process.arch !== 'x64' || works('qemu-x86_64', ['--version']) },
];

async function main(): Promise<void> {
  const missing = NEEDS.filter((n) => !n.present()).map((n) => n.pkg);
  if (missing.length === 0) {
    console.log(`present: ${NEEDS.map((n) => n.pkg).join(', ')}`);
    return;
  }
  await aptInstall(missing, 'the test suite');
  const still = NEEDS.filter((n) => !n.present()).map((n) => n.pkg);
  if (still.length) throw new Error(`apt-get finished but ${still.join(', ')} still missing`);
  console.log(`installed: ${missing.join(', ')}`);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
