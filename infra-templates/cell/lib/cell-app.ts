import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CellStack, EdgeSecurityStack } from './cell-stack.js';
import { CellConfigError, type CellConfig } from './platform-config.js';
import type { EnvironmentName } from './settings.js';

export interface CellAppOptions {
  config: CellConfig;
  environments: EnvironmentName[];
  imageTag?: string;
  githubRepository?: string;
  githubOidcProviderArn?: string;
  availabilityZones?: string[];
}

export interface CellStacks {
  cell: CellStack;
  edge?: EdgeSecurityStack;
}

/** Stack name of an environment's cell: `<product>-<env>` (what `platform deploy` and the deploy workflow target). */
export const cellStackName = (product: string, environment: string) => `${product}-${environment}`;

/**
 * Adds one cell per environment to `app`, with cdk-nag's AwsSolutions pack as a validation plugin: synthesis fails on
 * any finding that is not acknowledged with a reason.
 */
export function addCells(app: App, options: CellAppOptions): Map<EnvironmentName, CellStacks> {
  const { config } = options;
  const stacks = new Map<EnvironmentName, CellStacks>();
  for (const environment of options.environments) {
    // Explicit account and region keep synthesis offline (no lookups); an environment without an account id is env-agnostic.
    const account = config.accounts[environment];
    const name = cellStackName(config.product, environment);
    let edge: EdgeSecurityStack | undefined;
    if (config.region !== 'us-east-1') {
      if (!account) {
        throw new CellConfigError(
          `aws.accounts.${environment} is required in platform.yaml: outside us-east-1 the CloudFront web ACL lives in a separate us-east-1 stack, which needs an explicit account`,
        );
      }
      edge = new EdgeSecurityStack(app, `${name}-edge`, {
        env: { account, region: 'us-east-1' },
        crossRegionReferences: true,
        product: config.product,
        environment,
        description: `${config.product} ${environment}: CloudFront web ACL (WAF requires us-east-1)`,
      });
    }
    const cell = new CellStack(app, name, {
      env: { account, region: config.region },
      crossRegionReferences: edge !== undefined,
      description: `${config.product} ${environment} cell`,
      terminationProtection: environment === 'prod',
      config,
      environment,
      imageTag: options.imageTag ?? 'latest',
      githubRepository: options.githubRepository,
      githubOidcProviderArn: options.githubOidcProviderArn,
      availabilityZones: options.availabilityZones,
      webAclArn: edge?.webAcl.webAcl.attrArn,
    });
    if (edge) cell.addDependency(edge);
    stacks.set(environment, { cell, edge });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stacks;
}
