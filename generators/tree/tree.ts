import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE';

export interface FileChange {
  type: ChangeType;
  path: string;
  /** New content (absent for DELETE). */
  content?: Buffer;
}

/** Paths in a Tree are relative, forward-slash, without `.` or `..` segments. */
export function normalizePath(input: string): string {
  const normalized = path.posix.normalize(input.replaceAll('\\', '/')).replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (normalized === '' || normalized === '.' || normalized.startsWith('../') || normalized === '..' || path.posix.isAbsolute(normalized)) {
    throw new Error(`Invalid tree path: ${input}`);
  }
  return normalized;
}

/**
 * An in-memory view of a directory. Generators read and write here and never touch the disk; reads
 * fall through to `root` (if any) for files not changed in memory. Writing content identical to
 * what is already there records nothing, so a generator that re-runs is visibly a no-op.
 */
export class Tree {
  /** path → new content, or null when deleted. */
  private readonly overlay = new Map<string, Buffer | null>();

  constructor(readonly root?: string) {}

  private readBase(file: string): Buffer | null {
    if (!this.root) return null;
    const absolute = path.join(this.root, file);
    try {
      return statSync(absolute).isFile() ? readFileSync(absolute) : null;
    } catch {
      return null;
    }
  }

  read(file: string): Buffer | null {
    const key = normalizePath(file);
    if (this.overlay.has(key)) return this.overlay.get(key) ?? null;
    return this.readBase(key);
  }

  readText(file: string): string | null {
    return this.read(file)?.toString('utf8') ?? null;
  }

  exists(file: string): boolean {
    const key = normalizePath(file);
    if (this.overlay.has(key)) return this.overlay.get(key) !== null;
    return this.readBase(key) !== null || this.children(key).length > 0;
  }

  isFile(file: string): boolean {
    return this.read(file) !== null;
  }

  write(file: string, content: string | Buffer): void {
    const key = normalizePath(file);
    const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    const base = this.readBase(key);
    if (base !== null && base.equals(buffer)) this.overlay.delete(key);
    else this.overlay.set(key, buffer);
  }

  delete(file: string): void {
    const key = normalizePath(file);
    const files = this.isFile(key) ? [key] : this.listFiles(key);
    for (const f of files) {
      if (this.readBase(f) === null) this.overlay.delete(f);
      else this.overlay.set(f, null);
    }
  }

  rename(from: string, to: string): void {
    const source = normalizePath(from);
    const target = normalizePath(to);
    if (source === target) return;
    const content = this.read(source);
    if (content === null) {
      for (const file of this.listFiles(source)) this.rename(file, `${target}/${file.slice(source.length + 1)}`);
      return;
    }
    this.delete(source);
    this.write(target, content);
  }

  /** Names (not paths) of the files and folders directly inside `dir` ('' for the root). */
  children(dir = ''): string[] {
    const prefix = dir === '' ? '' : `${normalizePath(dir)}/`;
    const names = new Set<string>();
    for (const file of this.listFiles(dir)) names.add(file.slice(prefix.length).split('/')[0]!);
    return [...names].sort();
  }

  /** Every file path under `dir` ('' for all), sorted. */
  listFiles(dir = ''): string[] {
    const prefix = dir === '' ? '' : `${normalizePath(dir)}/`;
    const files = new Set<string>();
    if (this.root) {
      const base = path.join(this.root, prefix);
      if (existsSync(base)) {
        for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
          if (!entry.isFile()) continue;
          const relative = path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
          if (relative.startsWith('.git/') || relative.startsWith('node_modules/')) continue;
          files.add(relative);
        }
      }
    }
    for (const [file, content] of this.overlay) {
      if (!file.startsWith(prefix)) continue;
      if (content === null) files.delete(file);
      else files.add(file);
    }
    return [...files].sort();
  }

  /** What flushing this tree would do, sorted by path. */
  changes(): FileChange[] {
    return [...this.overlay]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([file, content]) => {
        if (content === null) return { type: 'DELETE' as const, path: file };
        return { type: this.readBase(file) === null ? ('CREATE' as const) : ('UPDATE' as const), path: file, content };
      });
  }
}
