// The project-managed Python environment for the tests (requirements-test.txt), created once and cached.
import { ensureVenv } from '../src/util/python-env';
import { TEST_VENV } from '../test/support/python';

ensureVenv(TEST_VENV)
  .then((python) => console.log(python))
  .catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
