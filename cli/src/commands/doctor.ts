import { runEnvironmentChecks, type EnvironmentCheck } from '../../../generators/repo/environment.js';
import { PlatformCommand } from '../base-command.js';

export interface DoctorResult {
  ok: boolean;
  checks: EnvironmentCheck[];
}

export default class Doctor extends PlatformCommand {
  static override description = 'Check that this machine can generate, build and run products (node ≥ 20.19, npm, git, database)';

  static override examples = ['<%= config.bin %> doctor', 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres <%= config.bin %> doctor --json'];

  async run(): Promise<DoctorResult> {
    await this.parse(Doctor);
    const checks = await runEnvironmentChecks();
    const ok = checks.every((check) => check.ok);
    for (const check of checks) {
      const mark = check.skipped ? '-' : check.ok ? '✔' : '✖';
      this.say(`${mark} ${check.name.padEnd(9)} ${check.detail}`);
      if (!check.ok && check.fix) this.say(`  → ${check.fix}`);
    }
    if (!ok) process.exitCode = 1;
    return { ok, checks };
  }
}
