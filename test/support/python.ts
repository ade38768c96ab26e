// The Python the tests use (pandas, datasets, schemathesis): the project-managed venv that `npm test`'s setup
// creates from requirements-test.txt, passed down as FLYWHEEL_TEST_PYTHON; python3 when a test runs on its own.
import path from 'node:path';
import type { VenvSpec } from '../../src/util/python-env';

export const TEST_VENV: VenvSpec = {
  name: 'test-venv',
  requirements: path.resolve(__dirname, '..', '..', 'requirements-test.txt'),
  what: 'pandas, datasets, schemathesis',
};

export const testPython = (): string => process.env.FLYWHEEL_TEST_PYTHON ?? 'python3';
