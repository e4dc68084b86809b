import path from 'node:path';
import { Node, Project, QuoteKind, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';

/**
 * A codemod: a ts-morph transform of the owner's TypeScript, shipped with the CLI and run by
 * `platform upgrade` when a module moves across `version` (from < version <= to), in version order.
 */
export interface Codemod {
  /** The module whose version triggers it. */
  module: string;
  version: string;
  /** Unique id, e.g. `core-1.1.0-permission-check-renamed-can`. */
  name: string;
  description: string;
  implementation(context: CodemodContext): CodemodOutcome;
}

export interface CodemodContext {
  /** Every `src/**\/*.ts` of the product after the merge, in an in-memory file system rooted at `/product`. */
  project: Project;
}

export interface CodemodOutcome {
  /** False when the new sources do not have what the codemod expects (it then changes nothing). */
  applicable: boolean;
  reason?: string;
  /** Product-relative paths of the files it changed, and how many edits. */
  files: string[];
  edits: number;
}

export const PRODUCT_ROOT = '/product';

/** An in-memory ts-morph project holding the product's TypeScript sources. */
export function createCodemodProject(files: Iterable<[string, string]>): Project {
  const project = new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    manipulationSettings: { quoteKind: QuoteKind.Single },
    compilerOptions: {
      target: 9 /* ES2022 */,
      module: 199 /* NodeNext */,
      moduleResolution: 99 /* NodeNext */,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    },
  });
  project.getFileSystem().writeFileSync(`${PRODUCT_ROOT}/package.json`, '{"type":"module"}');
  for (const [file, text] of files) project.createSourceFile(`${PRODUCT_ROOT}/${file}`, text, { overwrite: true });
  return project;
}

export const productPath = (sourceFile: SourceFile) => path.posix.relative(PRODUCT_ROOT, sourceFile.getFilePath());

/** The class `className` declared in `file` (product-relative), if any. */
export function findClass(project: Project, file: string, className: string) {
  return project.getSourceFile(`${PRODUCT_ROOT}/${file}`)?.getClass(className);
}

const declaredIn = (node: Node | undefined, className: string, file: string) => {
  const type = node?.getType().getNonNullableType();
  const symbol = type?.getSymbol() ?? type?.getApparentType().getSymbol();
  if (!symbol || symbol.getName() !== className) return false;
  return symbol.getDeclarations().some((d) => productPath(d.getSourceFile()) === file);
};

/**
 * Renamed method: rewrites `x.from(...)` (and `x.from` passed as a value, `x?.from(...)`) to
 * `x.to` wherever `x`'s type is the class `className` declared in `file`. Calls of a method with the
 * same name on any other type are left alone; the class's own declaration is not touched.
 */
export function renameMethodCalls(project: Project, options: { file: string; className: string; from: string; to: string }): { files: string[]; edits: number } {
  const changed = new Set<string>();
  let edits = 0;
  for (const sourceFile of project.getSourceFiles()) {
    const accesses = sourceFile
      .getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)
      .filter((access) => access.getName() === options.from && declaredIn(access.getExpression(), options.className, options.file));
    for (const access of accesses.reverse()) {
      access.getNameNode().replaceWithText(options.to);
      edits++;
      changed.add(productPath(sourceFile));
    }
  }
  return { files: [...changed].sort(), edits };
}

/**
 * Moved export: `import { name } from '<…>/fromFile.js'` becomes an import from `toFile` (relative
 * specifiers recomputed per importing file, `.js` suffix kept); other names stay where they were.
 */
export function moveNamedImport(project: Project, options: { name: string; fromFile: string; toFile: string }): { files: string[]; edits: number } {
  const changed = new Set<string>();
  let edits = 0;
  const strip = (file: string) => file.replace(/\.(ts|js)$/, '');
  for (const sourceFile of project.getSourceFiles()) {
    const here = productPath(sourceFile);
    for (const declaration of sourceFile.getImportDeclarations()) {
      const specifier = declaration.getModuleSpecifierValue();
      if (!specifier.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(here), specifier));
      if (strip(target) !== strip(options.fromFile)) continue;
      const named = declaration.getNamedImports().find((n) => n.getName() === options.name);
      if (!named) continue;
      let relative = path.posix.relative(path.posix.dirname(here), strip(options.toFile)) + '.js';
      if (!relative.startsWith('.')) relative = `./${relative}`;
      const alias = named.getAliasNode()?.getText();
      const typeOnly = declaration.isTypeOnly() || named.isTypeOnly();
      if (declaration.getNamedImports().length === 1 && !declaration.getDefaultImport() && !declaration.getNamespaceImport()) declaration.remove();
      else named.remove();
      const existing = sourceFile.getImportDeclarations().find((d) => d.getModuleSpecifierValue() === relative && !d.getNamespaceImport() && d.isTypeOnly() === typeOnly);
      const spec = { name: options.name, ...(alias ? { alias } : {}) };
      if (existing) existing.addNamedImport(spec);
      else sourceFile.addImportDeclaration({ moduleSpecifier: relative, namedImports: [spec], isTypeOnly: typeOnly });
      edits++;
      changed.add(here);
    }
  }
  return { files: [...changed].sort(), edits };
}

/**
 * Changed decorator argument: in every `@decorator(...)` call, the string literal argument at
 * `index` equal to `from` becomes `to` (e.g. a renamed permission name).
 */
export function renameDecoratorArgument(project: Project, options: { decorator: string; index: number; from: string; to: string }): { files: string[]; edits: number } {
  const changed = new Set<string>();
  let edits = 0;
  for (const sourceFile of project.getSourceFiles()) {
    for (const decorator of sourceFile.getDescendantsOfKind(SyntaxKind.Decorator)) {
      if (decorator.getName() !== options.decorator) continue;
      const argument = decorator.getArguments()[options.index];
      if (!argument || !Node.isStringLiteral(argument) || argument.getLiteralValue() !== options.from) continue;
      argument.setLiteralValue(options.to);
      edits++;
      changed.add(productPath(sourceFile));
    }
  }
  return { files: [...changed].sort(), edits };
}

/** True when `file` (product-relative) exists in the project and exports `name` (declared there or re-exported). */
export function exportsName(project: Project, file: string, name: string): boolean {
  return project.getSourceFile(`${PRODUCT_ROOT}/${file}`)?.getExportedDeclarations().has(name) ?? false;
}

/** The symbol a call's callee (`f(...)`, `ns.f(...)`) stands for, imports and aliases followed. */
function calleeDeclaredIn(call: CallExpression, file: string, functionName: string): boolean {
  const callee = call.getExpression();
  const nameNode = Node.isIdentifier(callee) ? callee : Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : undefined;
  let symbol = nameNode?.getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol() ?? symbol;
  if (!symbol || symbol.getName() !== functionName) return false;
  return symbol.getDeclarations().some((d) => productPath(d.getSourceFile()) === file);
}

/** Names under which `sourceFile` can call `functionName` of `file`: its import aliases, or the name itself. */
function localNamesOf(sourceFile: SourceFile, functionName: string): Set<string> {
  const names = new Set([functionName]);
  for (const declaration of sourceFile.getImportDeclarations()) {
    for (const named of declaration.getNamedImports()) if (named.getName() === functionName) names.add(named.getAliasNode()?.getText() ?? functionName);
  }
  return names;
}

/**
 * Changed call shape: `fn(a, b, { c })` becomes `fn({ first: a, second: b, c })` for every call (decorators
 * included) of the function `functionName` declared in `file` — found by symbol, so aliased imports are followed
 * and same-named functions elsewhere are left alone. The arguments after `names` are merged into the object: an
 * object literal's properties are inlined, any other expression is spread. A call that already passes one object
 * literal is left as it is (idempotent).
 */
export function positionalArgumentsToObject(
  project: Project,
  options: { file: string; functionName: string; names: readonly string[] },
): { files: string[]; edits: number } {
  const changed = new Set<string>();
  let edits = 0;
  for (const sourceFile of project.getSourceFiles()) {
    const local = localNamesOf(sourceFile, options.functionName);
    const calls = sourceFile.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => {
      const callee = call.getExpression();
      const text = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
      return local.has(text) && calleeDeclaredIn(call, options.file, options.functionName);
    });
    for (const call of calls.reverse()) {
      const args = call.getArguments();
      if (args.length === 0 || (args.length === 1 && Node.isObjectLiteralExpression(args[0]))) continue;
      if (args.some((arg) => Node.isSpreadElement(arg))) continue;
      const parts = args.slice(0, options.names.length).map((arg, index) => {
        const key = options.names[index]!;
        return Node.isIdentifier(arg) && arg.getText() === key ? key : `${key}: ${arg.getText()}`;
      });
      for (const rest of args.slice(options.names.length)) {
        if (Node.isObjectLiteralExpression(rest)) parts.push(...rest.getProperties().map((property) => property.getText()));
        else parts.push(`...${rest.getText()}`);
      }
      for (let index = args.length - 1; index >= 0; index--) call.removeArgument(index);
      call.addArgument(`{ ${parts.join(', ')} }`);
      edits++;
      changed.add(productPath(sourceFile));
    }
  }
  return { files: [...changed].sort(), edits };
}
