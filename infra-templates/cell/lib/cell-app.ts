import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CellStack, EdgeSecurityStack } from './cell-stack.js';
import type { CellConfig } from './platform-config.js';
import { ImageRegistryStack, imageRepositoryName } from './registry.js';
import type { EnvironmentName } from './settings.js';

export interface CellAppOptions {
  config: CellConfig;
  environments: EnvironmentName[];
  /** The image tag the services run (`--context imageTag=<tag>`); `platform deploy` and the deploy workflow pass it. */
  imageTag?: string;
  githubRepository?: string;
  githubOidcProviderArn?: string;
  availabilityZones?: string[];
}

export interface CellStacks {
  cell: CellStack;
  registry: ImageRegistryStack;
  edge?: EdgeSecurityStack;
}

/** Stack name of an environment's cell: `<product>-<env>` (what `platform deploy` and the deploy workflow target). */
export const cellStackName = (product: string, environment: string) => `${product}-${environment}`;
/** Stack name of an environment's image repository, deployed before any image is pushed. */
export const registryStackName = (product: string, environment: string) => `${product}-${environment}-registry`;

/**
 * The tag synthesized when no `imageTag` context is given (synth, tests, CI). Nothing is ever pushed under it: a deploy
 * without a tag fails in the migration step, before the services change, with the message to use `platform deploy`.
 */
export const IMAGE_TAG_NOT_GIVEN = 'no-image-tag-given';

/**
 * Adds one cell per environment to `app`, with cdk-nag's AwsSolutions pack as a validation plugin: synthesis fails on
 * any finding that is not acknowledged with a reason.
 */
export function addCells(app: App, options: CellAppOptions): Map<EnvironmentName, CellStacks> {
  const { config } = options;
  const stacks = new Map<EnvironmentName, CellStacks>();
  for (const environment of options.environments) {
    // Explicit regions keep synthesis offline (no lookups). An environment without an account id (before
    // `platform account create`) is account-agnostic: it synthesizes and is checked, `platform deploy` refuses it.
    const account = config.accounts[environment];
    const name = cellStackName(config.product, environment);
    let edge: EdgeSecurityStack | undefined;
    if (config.region !== 'us-east-1') {
      edge = new EdgeSecurityStack(app, `${name}-edge`, {
        env: { account, region: 'us-east-1' },
        crossRegionReferences: true,
        product: config.product,
        environment,
        description: `${config.product} ${environment}: CloudFront web ACL (WAF requires us-east-1)`,
      });
    }
    const registry = new ImageRegistryStack(app, registryStackName(config.product, environment), {
      env: { account, region: config.region },
      description: `${config.product} ${environment}: container image repository (retained when deleted)`,
      terminationProtection: environment === 'prod',
      product: config.product,
      environment,
    });
    const cell = new CellStack(app, name, {
      env: { account, region: config.region },
      crossRegionReferences: edge !== undefined,
      description: `${config.product} ${environment} cell`,
      terminationProtection: environment === 'prod',
      config,
      environment,
      imageRepositoryName: imageRepositoryName(config.product, environment),
      imageTag: options.imageTag ?? IMAGE_TAG_NOT_GIVEN,
      githubRepository: options.githubRepository,
      githubOidcProviderArn: options.githubOidcProviderArn,
      availabilityZones: options.availabilityZones,
      webAclArn: edge?.webAcl.webAcl.attrArn,
    });
    cell.addStackDependency(registry, 'the services and the migration task run an image of its repository');
    if (edge) cell.addStackDependency(edge, 'the CloudFront distribution uses its web ACL');
    stacks.set(environment, { cell, registry, edge });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stacks;
}
