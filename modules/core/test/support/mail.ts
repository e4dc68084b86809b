import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/** A message the app sent, as captured by the SMTP server of the global setup. */
export interface CapturedMail {
  from: string;
  to: string[];
  /** The raw RFC 5322 message (headers + body, possibly quoted-printable). */
  raw: string;
  subject: string;
  /** Body with quoted-printable soft breaks and escapes decoded (good enough to find links and codes). */
  text: string;
}

function decodeQuotedPrintable(value: string): string {
  return value
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parse(file: string): CapturedMail {
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { from: string; to: string[]; raw: string };
  const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(stored.raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
  const bodyStart = stored.raw.search(/\r?\n\r?\n/);
  const body = bodyStart >= 0 ? stored.raw.slice(bodyStart) : stored.raw;
  return { ...stored, subject, text: decodeQuotedPrintable(body) };
}

/** Every message sent so far to `to` (oldest first). */
export function mailsTo(to: string): CapturedMail[] {
  const dir = inject('mailDir');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => parse(join(dir, name)))
    .filter((mail) => mail.to.includes(to.toLowerCase()));
}

/** Waits for the `index`-th (default: first) message to `to`, e.g. a password-reset mail. */
export async function waitForMail(to: string, options: { timeoutMs?: number; index?: number } = {}): Promise<CapturedMail> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const index = options.index ?? 0;
  while (Date.now() < deadline) {
    const mails = mailsTo(to);
    if (mails.length > index) return mails[index]!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail #${index + 1} to ${to} within ${options.timeoutMs ?? 10_000} ms`);
}

/** The first URL in a mail, optionally the one containing `contains` (e.g. 'reset-password'). */
export function linkIn(mail: CapturedMail, contains = ''): string | undefined {
  return mail.text.match(/https?:\/\/[^\s"'<>]+/g)?.find((url) => url.includes(contains));
}
