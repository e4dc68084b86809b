import { Node, Project, QuoteKind, SyntaxKind, type Decorator, type ObjectLiteralExpression } from 'ts-morph';
import { PlatformError } from '../errors.js';

export interface NestModuleImport {
  /** Class name, e.g. TasksModule. */
  className: string;
  /** ESM specifier relative to src/, e.g. ./modules/tasks/tasks.module.js. */
  specifier: string;
}

/**
 * Adds `import { X } from '...'` and appends X to the `imports` array of the `@Module()` class in
 * app.module.ts. Works on the syntax tree, so the template stays real, compilable TypeScript.
 * Applying it twice changes nothing.
 */
export function wireNestModules(source: string, modules: readonly NestModuleImport[], fileName = 'src/app.module.ts'): string {
  if (modules.length === 0) return source;
  const project = new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    manipulationSettings: { quoteKind: QuoteKind.Single },
  });
  const file = project.createSourceFile('/app.module.ts', source);
  const moduleArgs = findModuleMetadata(file.getClasses().flatMap((c) => c.getDecorators()), fileName);

  let importsProperty = moduleArgs.getProperty('imports');
  if (!importsProperty) importsProperty = moduleArgs.addPropertyAssignment({ name: 'imports', initializer: '[]' });
  const initializer = Node.isPropertyAssignment(importsProperty) ? importsProperty.getInitializer() : undefined;
  const array = initializer?.asKind(SyntaxKind.ArrayLiteralExpression);
  if (!array) {
    throw new PlatformError({ code: 'TEMPLATE_INVALID', message: `${fileName}: @Module({ imports }) must be an array literal` });
  }

  for (const module of modules) {
    const existing = file.getImportDeclarations().find((decl) => decl.getNamedImports().some((named) => named.getName() === module.className));
    if (!existing) {
      const last = file.getImportDeclarations().at(-1);
      file.insertImportDeclaration(last ? last.getChildIndex() + 1 : 0, {
        namedImports: [module.className],
        moduleSpecifier: module.specifier,
      });
    }
    if (!array.getElements().some((element) => element.getText() === module.className)) array.addElement(module.className);
  }
  return file.getFullText();
}

function findModuleMetadata(decorators: Decorator[], fileName: string): ObjectLiteralExpression {
  for (const decorator of decorators) {
    if (decorator.getName() !== 'Module') continue;
    const argument = decorator.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression);
    if (argument) return argument;
  }
  throw new PlatformError({ code: 'TEMPLATE_INVALID', message: `${fileName}: no class decorated with @Module({ ... }) found` });
}
