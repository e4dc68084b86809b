import { execa } from 'execa';

/** `npm install` in a freshly generated product. */
export async function installDependencies(dir: string): Promise<void> {
  await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' });
}

/** `npm run sdk`: emits sdk/openapi.json and the typed client (needs the installed dependencies). */
export async function generateSdk(dir: string): Promise<void> {
  await execa('npm', ['run', 'sdk'], { cwd: dir, stdio: 'pipe' });
}

export async function commandAvailable(command: string, args = ['--version']): Promise<string | undefined> {
  try {
    const { stdout } = await execa(command, args, { stdio: 'pipe', timeout: 15_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * `git init` + a first commit of everything generated. The author comes from the user's git config;
 * when none is set, a fallback identity is passed with `-c` so the commit still succeeds.
 */
export async function initGitRepository(dir: string, message: string): Promise<{ commit: string }> {
  const git = (args: string[], identity: string[] = []) => execa('git', [...identity, ...args], { cwd: dir, stdio: 'pipe' });
  await git(['init', '-q']);
  await git(['add', '-A']);
  const configured = async (key: string) => (await git(['config', '--get', key]).catch(() => ({ stdout: '' }))).stdout.trim();
  const identity: string[] = [];
  if (!(await configured('user.name'))) identity.push('-c', 'user.name=platform');
  if (!(await configured('user.email'))) identity.push('-c', 'user.email=platform@localhost');
  await git(['commit', '-q', '--no-verify', '-m', message], identity);
  const { stdout } = await git(['rev-parse', 'HEAD']);
  return { commit: stdout.trim() };
}
