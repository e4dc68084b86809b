import { Inject, Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { PLATFORM_CONFIG, type PlatformConfig } from '../platform/platform-config.js';

/** bcrypt with the product's cost (bcryptjs: pure JavaScript, so installs never depend on a prebuilt binary). */
@Injectable()
export class PasswordHasher {
  private readonly cost: number;
  /** Compared against when the account does not exist, so a login takes as long either way. */
  private readonly dummyHash: Promise<string>;

  constructor(@Inject(PLATFORM_CONFIG) config: PlatformConfig) {
    this.cost = config.auth.bcryptRounds;
    this.dummyHash = bcrypt.hash('not-a-real-password-just-for-timing', this.cost);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, passwordHash: string): Promise<boolean> {
    return bcrypt.compare(password, passwordHash);
  }

  /** Spends the time of a real comparison and always fails. */
  async verifyAgainstDummy(password: string): Promise<false> {
    await bcrypt.compare(password, await this.dummyHash);
    return false;
  }

  /** True when the stored hash was made with another cost than the product's (rehash on next successful login). */
  needsRehash(passwordHash: string): boolean {
    try {
      return bcrypt.getRounds(passwordHash) !== this.cost;
    } catch {
      return true;
    }
  }
}
