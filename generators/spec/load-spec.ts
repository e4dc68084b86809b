import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { PlatformError, type PlatformErrorDetail, type SourceLocation } from '../errors.js';
import { ProductSpecSchema, type ProductSpec } from './product-spec.js';

export type KeyPath = ReadonlyArray<string | number>;

/** Maps a key path of the parsed document back to line:column in the source text. */
export interface SpecSource {
  file: string;
  locate(keyPath: KeyPath, options?: { key?: boolean }): SourceLocation;
}

export interface LoadedSpec {
  spec: ProductSpec;
  /** The parsed YAML value before defaults were applied (what the user wrote). */
  raw: Record<string, unknown>;
  source: SpecSource;
}

export function formatKeyPath(keyPath: KeyPath): string {
  let out = '';
  for (const segment of keyPath) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(root)' : out;
}

export async function loadSpecFile(file: string): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PlatformError({
      code: 'SPEC_NOT_FOUND',
      message: `Cannot read the spec file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      exitCode: 2,
      suggestions: ['Check the path passed with --spec (relative paths are resolved from the current directory).'],
    });
  }
  return parseSpec(text, displayPath(file));
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** Parses and validates platform.yaml text. Every problem names the key path and line:column. */
export function parseSpec(text: string, file = 'platform.yaml'): LoadedSpec {
  const { value, raw, source } = parseSpecDocument(text, file, ProductSpecSchema);
  return { spec: value, raw, source };
}

/** Parses YAML text and validates it with `schema`; errors carry key path and line:column. */
export function parseSpecDocument<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): { value: z.output<S>; raw: Record<string, unknown>; source: SpecSource } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const source = createSource(doc, lineCounter, file);

  if (doc.errors.length > 0) {
    const details = doc.errors.map((error): PlatformErrorDetail => {
      const pos = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      const firstLine = error.message.split('\n')[0] ?? error.message;
      return { message: `YAML syntax error: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`, location: { file, line: pos.line, column: pos.col } };
    });
    throw specError('SPEC_YAML_SYNTAX', details, ['Fix the YAML syntax at the location shown (indentation, quotes, colons).']);
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    throw specError(
      'SPEC_EMPTY',
      [{ message: `${file} is empty: it needs at least a \`name\``, location: { file, line: 1, column: 1, path: '(root)' } }],
      ['Start from an example: `name: acme-crm` and `modules: [tasks]` (see examples/acme-crm.yaml).'],
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw specError(
      'SPEC_INVALID',
      [{ message: '(root): must be a mapping of `key: value` lines', location: { ...source.locate([]), path: '(root)' } }],
      ['Write the file as `key: value` lines, e.g. `name: acme-crm`.'],
    );
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw specError('SPEC_INVALID', issuesToDetails(result.error.issues, source), [
      `Fix ${file} at the location shown; every key is described by the JSON Schema in a generated product (.platform/platform.schema.json).`,
    ]);
  }
  return { value: result.data, raw: raw as Record<string, unknown>, source };
}

function specError(code: string, details: PlatformErrorDetail[], suggestions: string[]): PlatformError {
  const [first] = details;
  const lines = details.map((d) => (d.location ? `${d.location.file}:${d.location.line}:${d.location.column} ${d.message}` : d.message));
  const title = code === 'SPEC_YAML_SYNTAX' ? 'The spec is not valid YAML' : 'The spec is invalid';
  return new PlatformError({
    code,
    message: details.length === 1 ? lines[0]! : `${title}:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    exitCode: 2,
    location: first?.location,
    details,
    suggestions,
  });
}

type ZodIssue = z.core.$ZodIssue;

function issuesToDetails(issues: readonly ZodIssue[], source: SpecSource, prefix: KeyPath = []): PlatformErrorDetail[] {
  const details: PlatformErrorDetail[] = [];
  for (const issue of issues) {
    const issuePath = [...prefix, ...(issue.path as KeyPath)];
    if (issue.code === 'invalid_union') {
      // Prefer the branch that got furthest (an object with a bad field) over a generic "wrong shape".
      const deep = issue.errors.find((branch) => branch.some((inner) => inner.path.length > 0));
      if (deep) {
        details.push(...issuesToDetails(deep, source, issuePath));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...issuePath, key];
        details.push({
          message: `${formatKeyPath(keyPath)}: unknown key "${key}"`,
          location: { ...source.locate(keyPath, { key: true }), path: formatKeyPath(keyPath) },
        });
      }
      continue;
    }
    const formatted = formatKeyPath(issuePath);
    details.push({ message: `${formatted}: ${issueMessage(issue)}`, location: { ...source.locate(issuePath), path: formatted } });
  }
  return details;
}

function issueMessage(issue: ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input: expected')) {
    if (issue.message.endsWith('received undefined')) return `is required (${issue.expected})`;
    return issue.message.replace('Invalid input: expected', 'expected').replace('received', 'got');
  }
  if (issue.message.startsWith('Invalid input: ')) return issue.message.slice('Invalid input: '.length);
  return issue.message;
}

function createSource(doc: Document, lineCounter: LineCounter, file: string): SpecSource {
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  return {
    file,
    locate(keyPath, options = {}) {
      // Walk down as far as the document goes; a missing key points at its parent mapping.
      let node: unknown = doc.contents;
      let keyNode: Node | undefined;
      for (const segment of keyPath) {
        if (isMap(node)) {
          const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
          if (!pair) break;
          keyNode = pair.key as Node;
          node = pair.value;
        } else if (isSeq(node) && typeof segment === 'number') {
          const item = node.items[segment];
          if (item === undefined) break;
          keyNode = undefined;
          node = item;
        } else {
          break;
        }
      }
      const target = options.key && keyNode ? keyNode : isPair(node) ? (node.key as Node) : (node as Node | null);
      const offset = target?.range?.[0] ?? keyNode?.range?.[0] ?? 0;
      return at(offset);
    },
  };
}
