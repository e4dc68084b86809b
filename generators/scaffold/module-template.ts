import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import fg from 'fast-glob';
import { Node, Project } from 'ts-morph';
import { PlatformError } from '../errors.js';
import { customManifestPath, customModuleDir, customSchemaPath, customTestDir } from '../modules/product-modules.js';
import { placeholderMap, type ModuleNames } from './module-names.js';

export interface ScaffoldFile {
  path: string;
  content: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every placeholder form in `text` (longest first, so `sampleItems` wins over `sampleItem`). */
export function substitute(text: string, map: ReadonlyMap<string, string>): string {
  const pattern = new RegExp([...map.keys()].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
  return text.replace(pattern, (match) => map.get(match)!);
}

/**
 * The template's TypeScript with the placeholders replaced in the syntax tree: identifiers (`SampleItemsService`,
 * `sampleItemResponse`), string literals (`'sample-items'`, `'sample_item.created'`, import specifiers) and the
 * literal parts of template strings. Comments, keywords and everything else stay byte for byte.
 */
export function renderTypeScriptTemplate(text: string, map: ReadonlyMap<string, string>, fileName = 'template.ts'): string {
  const project = new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true });
  const file = project.createSourceFile(`/${path.posix.basename(fileName)}`, text);
  const edits: { start: number; end: number; text: string }[] = [];
  file.forEachDescendant((node) => {
    const literal =
      Node.isIdentifier(node) ||
      Node.isPrivateIdentifier(node) ||
      Node.isStringLiteral(node) ||
      Node.isNoSubstitutionTemplateLiteral(node) ||
      Node.isTemplateHead(node) ||
      Node.isTemplateMiddle(node) ||
      Node.isTemplateTail(node);
    if (!literal) return;
    const start = node.getStart();
    const original = text.slice(start, node.getEnd());
    const replaced = substitute(original, map);
    if (replaced !== original) edits.push({ start, end: node.getEnd(), text: replaced });
  });
  let output = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) output = output.slice(0, edit.start) + edit.text + output.slice(edit.end);
  return output;
}

/** Where a template file lands in the product (module contract: `src/**`, `prisma/`, `migrations/`, `test/**`). */
function targetPath(relative: string, names: ModuleNames, map: ReadonlyMap<string, string>, timestamp: string): string | undefined {
  const name = names.module.name;
  const [top, ...rest] = relative.split('/');
  const inner = substitute(rest.join('/'), map).replace(/\.ejs$/, '');
  switch (top) {
    case 'module.yaml.ejs':
      return customManifestPath(name);
    case 'src':
      return `${customModuleDir(name)}/${inner}`;
    case 'prisma':
      return customSchemaPath(name);
    case 'migrations':
      return `prisma/migrations/${timestamp}_${name}_${path.posix.basename(inner)}`;
    case 'test':
      return `${customTestDir(name)}/${inner}`;
    default:
      return undefined; // README.md: for maintainers of the template
  }
}

/**
 * Renders templates/module for `names`: TypeScript through the syntax tree, YAML/Prisma/SQL through EJS.
 * `timestamp` (YYYYMMDDHHMMSS) names the migration.
 */
export async function renderModuleTemplate(templateDir: string, names: ModuleNames, timestamp: string): Promise<ScaffoldFile[]> {
  const relatives = (await fg('**/*', { cwd: templateDir, onlyFiles: true, dot: false })).sort();
  if (relatives.length === 0) {
    throw new PlatformError({ code: 'TEMPLATE_INVALID', message: `No module template in ${templateDir}` });
  }
  const map = placeholderMap(names);
  const data = {
    module: names.module,
    resource: {
      ...names.resource,
      Pascal: names.resource.model,
      plural: names.resource.plural.words,
      Plural: names.resource.plural.sentence,
    },
  };
  const files: ScaffoldFile[] = [];
  for (const relative of relatives) {
    const target = targetPath(relative, names, map, timestamp);
    if (!target) continue;
    const absolute = path.join(templateDir, relative);
    const source = await readFile(absolute, 'utf8');
    let content: string;
    if (relative.endsWith('.ejs')) content = ejs.render(source, data, { filename: absolute });
    else if (relative.endsWith('.ts')) content = renderTypeScriptTemplate(source, map, relative);
    else content = source;
    files.push({ path: target, content });
  }
  return files;
}
