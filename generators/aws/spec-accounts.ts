import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument, Scalar } from 'yaml';
import { SPEC_FILE } from '../spec/render-spec.js';

/**
 * Writes `aws.accounts.<env>` (and `aws.region` when the spec has none) into platform.yaml through the
 * YAML Document API, so the owner's comments, key order and the yaml-language-server modeline stay.
 * Returns whether the file changed.
 */
export async function writeAccountIdsToSpec(dir: string, accounts: Record<string, string>, region: string): Promise<boolean> {
  const file = path.join(dir, SPEC_FILE);
  const text = await readFile(file, 'utf8');
  const next = setAccountIds(text, accounts, region);
  if (next === text) return false;
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, next);
  await rename(temp, file);
  return true;
}

export function setAccountIds(text: string, accounts: Record<string, string>, region: string): string {
  const doc = parseDocument(text);
  let changed = false;
  if (!doc.hasIn(['aws', 'region'])) {
    doc.setIn(['aws', 'region'], region);
    changed = true;
  }
  for (const [env, id] of Object.entries(accounts)) {
    if (String(doc.getIn(['aws', 'accounts', env]) ?? '') === id) continue;
    // Quoted: an unquoted 12-digit id would be read back as a number (and lose leading zeros).
    const value = new Scalar(id);
    value.type = Scalar.QUOTE_DOUBLE;
    doc.setIn(['aws', 'accounts', env], value);
    changed = true;
  }
  if (!changed) return text;
  return doc.toString({ lineWidth: 0 });
}
