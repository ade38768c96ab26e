// The dashboard the fuzz tests attack: real harness runs in a temp data folder (makeDashboardData), served on
// a free loopback port with a bearer token configured, so every request also passes the auth check.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server';
import { makeDashboardData, type DashboardData } from '../support/dashboard-data';

export interface FuzzTarget {
  data: DashboardData;
  dash: RunningDashboard;
  token: string;
  /** The temp folder holding the data folder (and nothing the API may serve). */
  root: string;
  close(): Promise<void>;
}

export async function startFuzzTarget(opts: { log?: Logger } = {}): Promise<FuzzTarget> {
  const data = await makeDashboardData();
  const token = randomBytes(24).toString('base64url');
  try {
    const dash = await startDashboard({
      settings: data.settings,
      host: '127.0.0.1',
      port: 0,
      token,
      log: opts.log,
    });
    return {
      data,
      dash,
      token,
      root: path.dirname(data.dataDir),
      close: async () => {
        await dash.close();
        await data.cleanup();
      },
    };
  } catch (err) {
    await data.cleanup();
    throw err;
  }
}
