import { ts } from 'ts-morph';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A TypeScript expression for a JSON-like value (objects print one property per line). */
export function toExpression(value: unknown): ts.Expression {
  const f = ts.factory;
  if (value === null) return f.createNull();
  if (typeof value === 'string') return f.createStringLiteral(value, true);
  if (typeof value === 'boolean') return value ? f.createTrue() : f.createFalse();
  if (typeof value === 'number') {
    return value < 0 ? f.createPrefixUnaryExpression(ts.SyntaxKind.MinusToken, f.createNumericLiteral(-value)) : f.createNumericLiteral(value);
  }
  if (Array.isArray(value)) {
    const scalars = value.every((item) => item === null || typeof item !== 'object');
    return f.createArrayLiteralExpression(value.map(toExpression), !scalars && value.length > 0);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return f.createObjectLiteralExpression(
      entries.map(([key, v]) => f.createPropertyAssignment(IDENTIFIER.test(key) ? f.createIdentifier(key) : f.createStringLiteral(key, true), toExpression(v))),
      entries.length > 0,
    );
  }
  throw new Error(`Cannot express ${typeof value} as TypeScript`);
}

/**
 * `// header` + `import type { typeName } from 'from';` + `export const name: typeName = value;`
 * printed by the TypeScript printer, re-indented to two spaces.
 */
export function printTypedConstant(options: { header: string; typeName: string; array?: boolean; from: string; name: string; value: unknown }): string {
  const f = ts.factory;
  const importDecl = f.createImportDeclaration(
    undefined,
    f.createImportClause(true, undefined, f.createNamedImports([f.createImportSpecifier(false, undefined, f.createIdentifier(options.typeName))])),
    f.createStringLiteral(options.from, true),
  );
  const constant = f.createVariableStatement(
    [f.createModifier(ts.SyntaxKind.ExportKeyword)],
    f.createVariableDeclarationList(
      [f.createVariableDeclaration(
          options.name,
          undefined,
          options.array ? f.createArrayTypeNode(f.createTypeReferenceNode(options.typeName)) : f.createTypeReferenceNode(options.typeName),
          toExpression(options.value),
        )],
      ts.NodeFlags.Const,
    ),
  );
  const file = ts.createSourceFile('generated.ts', '', ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const body = [importDecl, constant].map((node) => printer.printNode(ts.EmitHint.Unspecified, node, file)).join('\n\n');
  const reindented = body.replace(/^((?: {4})+)/gm, (indent) => ' '.repeat(indent.length / 2));
  return `${options.header
    .split('\n')
    .map((line) => `// ${line}`)
    .join('\n')}\n${reindented}\n`;
}
