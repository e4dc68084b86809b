import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A cdk-nag finding this cell accepts on purpose, with the reason a reviewer reads. */
export interface Acknowledgement {
  id: string;
  reason: string;
  /** Narrows a multi-finding rule (IAM5) to the exact findings, e.g. `Resource::*`. Required for IAM5. */
  appliesTo?: string[];
}

/**
 * cdk-nag 3 acknowledges findings through CDK's `Validations.of(scope).acknowledge`; a finding of a multi-finding rule
 * is addressed as `RuleId[finding]`. Blanket IAM5 acknowledgements are refused so that every wildcard is listed.
 */
export function acknowledge(scope: IConstruct, acknowledgements: Acknowledgement[]): void {
  for (const { id, reason, appliesTo } of acknowledgements) {
    if (reason.trim().length < 20) throw new Error(`cdk-nag acknowledgement ${id} on ${scope.node.path} needs a written reason`);
    if (id === 'AwsSolutions-IAM5' && !appliesTo?.length) throw new Error(`AwsSolutions-IAM5 on ${scope.node.path} must list appliesTo`);
    const ids = appliesTo?.length ? appliesTo.map((finding) => `${id}[${finding}]`) : [id];
    for (const ruleId of ids) Validations.of(scope).acknowledge({ id: ruleId, reason });
  }
}
