import { execa } from 'execa';
import { REPO_ROOT } from './run-cli.js';

/** The command tests run the built CLI (bin/run.js → dist/), so build it once first. */
export default async function setup(): Promise<void> {
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
