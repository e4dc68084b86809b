import { Command, Errors } from '@oclif/core';
import { formatLocation, PlatformError } from '../../generators/errors.js';

/** Shared behaviour of every command: `--json`, and turning errors into text and an exit code. */
export abstract class PlatformCommand extends Command {
  static enableJsonFlag = true;

  /** Human-readable output; silent under --json (the returned object is printed instead). */
  protected say(message = ''): void {
    this.log(message);
  }

  protected get interactive(): boolean {
    return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !this.jsonEnabled();
  }

  override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<never> {
    if (error instanceof Errors.ExitError) throw error;
    const platformError = toPlatformError(error);
    if (this.jsonEnabled()) {
      this.logJson({ error: platformError.toJSON() });
    } else {
      process.stderr.write(`${renderError(platformError)}\n`);
      if (platformError.exitCode === 1 && process.env.DEBUG && error.stack) process.stderr.write(`${error.stack}\n`);
    }
    return this.exit(platformError.exitCode);
  }
}

export function toPlatformError(error: Error & { oclif?: { exit?: number }; code?: unknown }): PlatformError {
  if (error instanceof PlatformError) return error;
  // Flag and argument parsing errors from oclif are usage errors.
  if (error.oclif?.exit === 2 || /^(Unexpected argument|Nonexistent flag|Missing \d+ required arg|Expected --|Parsing --)/.test(error.message)) {
    return new PlatformError({ code: 'USAGE', message: error.message.split('\nSee more help')[0]!, exitCode: 2, suggestions: ['Run the command with --help to see its arguments and flags.'] });
  }
  return new PlatformError({ code: 'INTERNAL', message: error.message, exitCode: 1, cause: error, suggestions: ['Re-run with DEBUG=1 for the stack trace.'] });
}

export function renderError(error: PlatformError): string {
  const lines = [`Error [${error.code}]: ${error.message}`];
  if (error.location && !error.message.includes(formatLocation(error.location))) {
    lines.push(`  at ${formatLocation(error.location)}${error.location.path ? ` (${error.location.path})` : ''}`);
  }
  for (const suggestion of error.suggestions) lines.push(`  → ${suggestion}`);
  return lines.join('\n');
}
