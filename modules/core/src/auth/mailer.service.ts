import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { PLATFORM_CONFIG, type PlatformConfig } from '../platform/platform-config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

type Transport = ReturnType<typeof createTransport>;

/**
 * Sends transactional email over SMTP (SMTP_URL, e.g. smtp://user:pass@host:587). Without SMTP_URL nothing is sent
 * and a warning says so (never the message itself: it may carry a secret link).
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transport | undefined;
  private readonly from: string;

  constructor(@Inject(PLATFORM_CONFIG) config: PlatformConfig) {
    const url = process.env.SMTP_URL;
    this.transport = url ? createTransport(url) : undefined;
    this.from = process.env.MAIL_FROM ?? `"${config.product.displayName}" <no-reply@${config.product.name}.localhost>`;
  }

  get configured(): boolean {
    return this.transport !== undefined;
  }

  async send(mail: OutgoingMail): Promise<void> {
    if (!this.transport) {
      this.logger.warn({ msg: 'no mailer configured (set SMTP_URL); email not sent', subject: mail.subject });
      return;
    }
    await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
