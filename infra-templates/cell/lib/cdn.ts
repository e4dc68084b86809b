import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER } from './compute.js';
import { acknowledge } from './nag.js';

export interface CdnProps {
  alb: elbv2.IApplicationLoadBalancer;
  webAclArn: string;
  originVerifySecret: secretsmanager.ISecret;
  accessLogs: s3.IBucket;
}

/**
 * CloudFront in front of the ALB, protected by the edge web ACL; API responses are not cached.
 *
 * The origin is a CloudFront VPC origin: the ALB is internal, and CloudFront reaches it through its own network
 * interfaces inside the VPC, so requests (passwords, bearer tokens, the origin header) never cross the internet between
 * the edge and the ALB. HTTPS to the origin would need a certificate for a domain of the product that CloudFront can
 * validate against the origin's name, which a product without its own domain does not have.
 */
export class Cdn extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'API edge',
      webAclId: props.webAclArn,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.VpcOrigin.withApplicationLoadBalancer(props.alb, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
          customHeaders: { [ORIGIN_VERIFY_HEADER]: props.originVerifySecret.secretValue.unsafeUnwrap() },
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    });
    acknowledge(this.distribution, [
      { id: 'AwsSolutions-CFR1', reason: 'A SaaS API serves customers worldwide; no country is restricted by default.' },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'Until the product has its own domain and ACM certificate the distribution uses the default *.cloudfront.net certificate, which CloudFront pins to TLSv1.',
      },
    ]);
  }
}
