// Reading and writing a review's files inside the data folder (activities only: uses node:fs).
import fs from 'node:fs';
import { readDataFile, writeDataFile } from '../activities/deps';
import { resolveInside } from '../security/sandbox';
import type { PersonaScore } from './decision';
import { candidatesRel, extractRel, organiseRel, paperRel, scoreRel } from './paths';
import { PERSONA_NAMES } from './personas';
import type { CandidatePaper, Extraction, Organised } from './types';

export function readJson<T>(dataDir: string, rel: string): T {
  return JSON.parse(readDataFile(dataDir, rel)) as T;
}

/** The parsed file, or null when it does not exist (a half-written file never exists: writes are atomic). */
export function readJsonIfExists<T>(dataDir: string, rel: string): T | null {
  const abs = resolveInside(dataDir, rel);
  if (!fs.existsSync(abs)) return null;
  return JSON.parse(fs.readFileSync(abs, 'utf8')) as T;
}

export function writeJson(dataDir: string, rel: string, value: unknown): string {
  return writeDataFile(dataDir, rel, `${JSON.stringify(value, null, 1)}\n`);
}

export const loadPaper = (dataDir: string, id: string, index: number) =>
  readJson<CandidatePaper>(dataDir, paperRel(id, index));

export const loadCandidates = (dataDir: string, id: string) =>
  readJson<CandidatePaper[]>(dataDir, candidatesRel(id));

export const loadOrganised = (dataDir: string, id: string) => readJson<Organised>(dataDir, organiseRel(id));

export const loadExtract = (dataDir: string, id: string, index: number) =>
  readJsonIfExists<Extraction>(dataDir, extractRel(id, index));

/** The persona scores already on disk for one paper, in persona order. */
export function loadScores(dataDir: string, id: string, index: number): PersonaScore[] {
  return PERSONA_NAMES.flatMap((p) => {
    const s = readJsonIfExists<PersonaScore>(dataDir, scoreRel(id, index, p));
    return s ? [s] : [];
  });
}
