/**
 * Work to run once a transaction has committed (e.g. dispatching outbox events). PrismaService.tenant()
 * opens a scope per transaction and runs the callbacks only after the commit succeeded.
 */
export class AfterCommitCallbacks {
  private readonly byTransaction = new WeakMap<object, (() => void)[]>();

  open(tx: object): void {
    this.byTransaction.set(tx, []);
  }

  /** False when `tx` was not opened by tenant(): the caller must not rely on a callback then. */
  add(tx: object, callback: () => void): boolean {
    const callbacks = this.byTransaction.get(tx);
    if (!callbacks) return false;
    callbacks.push(callback);
    return true;
  }

  take(tx: object): (() => void)[] {
    const callbacks = this.byTransaction.get(tx) ?? [];
    this.byTransaction.delete(tx);
    return callbacks;
  }
}
