import { readFile } from 'node:fs/promises';
import path from 'node:path';

export type Semver = [number, number, number];

export function parseSemver(version: string): Semver {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) throw new Error(`Not a semver version: ${version}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function compareSemver(a: string, b: string): number {
  const [x, y] = [parseSemver(a), parseSemver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/** `from` < v <= `to`. */
export const inRange = (version: string, from: string, to: string) => compareSemver(version, from) > 0 && compareSemver(version, to) <= 0;

export interface ChangelogEntry {
  version: string;
  body: string;
}

/**
 * `modules/<m>/CHANGELOG.md`: one `## <version>` heading per release (anything after the version on
 * the heading line, such as a date, is ignored), newest first. Returns the entries in (from, to].
 */
export function changelogBetween(markdown: string, from: string, to: string): ChangelogEntry[] {
  const entries: ChangelogEntry[] = [];
  const sections = markdown.split(/^## +/m).slice(1);
  for (const section of sections) {
    const newline = section.indexOf('\n');
    const heading = newline === -1 ? section : section.slice(0, newline);
    const version = /^\[?(\d+\.\d+\.\d+)/.exec(heading.trim())?.[1];
    if (!version || !inRange(version, from, to)) continue;
    entries.push({ version, body: (newline === -1 ? '' : section.slice(newline + 1)).trim() });
  }
  return entries.sort((a, b) => compareSemver(a.version, b.version));
}

export async function readChangelog(moduleDir: string): Promise<string> {
  return readFile(path.join(moduleDir, 'CHANGELOG.md'), 'utf8').catch(() => '');
}
