import { Duration, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import type { EnvironmentName } from './settings.js';

/** Name of an environment's image repository: `<product>-<env>` (what `platform deploy` and the deploy workflow push to). */
export const imageRepositoryName = (product: string, environment: string) => `${product}-${environment}`;

/** Images kept per repository; older ones expire (tags are commit SHAs, so a rollback further back rebuilds). */
export const KEPT_IMAGES = 100;

/**
 * The product image's ECR repository, in a stack of its own: it must exist before the first image is pushed, which
 * must happen before the cell's services (and its migration task) can start, so it is deployed first — by
 * `platform deploy` and by the deploy workflow alike. Tags are immutable (a tag is a commit, never reused) and the
 * repository outlives the stack: deleting the stack must not delete the images the services run.
 */
export class ImageRegistryStack extends Stack {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: StackProps & { product: string; environment: EnvironmentName }) {
    super(scope, id, props);
    Tags.of(this).add('platform:product', props.product);
    Tags.of(this).add('platform:environment', props.environment);
    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: imageRepositoryName(props.product, props.environment),
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { description: 'Untagged layers of interrupted pushes', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7), rulePriority: 1 },
        { description: `Keep the last ${KEPT_IMAGES} images`, tagStatus: ecr.TagStatus.ANY, maxImageCount: KEPT_IMAGES, rulePriority: 2 },
      ],
    });
  }
}
