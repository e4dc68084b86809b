import { execa } from 'execa';
import { REPO_ROOT } from './run-cli.js';

/** The command tests run the built CLI (bin/run.js → dist/ and its command manifest), so build it once first. */
export default async function setup(): Promise<void> {
  await execa('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
