// Command groups, one file each. To add one: write src/cli/<name>.ts exporting `register(program)`, add it here.
import type { Command } from 'commander';

type Register = (program: Command) => void;

export const COMMAND_GROUPS: Array<() => Promise<{ register: Register }>> = [
  () => import('./dev'),
  () => import('./worker'),
  () => import('./run'),
  () => import('./status'),
  () => import('./doctor'),
  () => import('./lit-review'),
  () => import('./export'),
  () => import('./rollout'),
  () => import('./schedule'),
  () => import('./calibrate'),
  () => import('./judge'),
  () => import('./report'),
  () => import('./import'),
  () => import('./dashboard'),
  () => import('./cluster'),
  () => import('./train'),
  () => import('./battery'),
  () => import('./eval'),
  () => import('./promote'),
  () => import('./security'),
];
