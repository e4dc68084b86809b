import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The spec's service-level objectives, measured at the ALB. */
export const SLO = { availability: 0.999, p99Seconds: 0.5, p50Seconds: 0.1 } as const;

export interface ObservabilityProps {
  product: string;
  environment: string;
  alb: elbv2.ApplicationLoadBalancer;
  targetGroup: elbv2.ApplicationTargetGroup;
}

/** A dashboard and SLO alarms on the ALB, notifying an encrypted SNS topic. */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly alarms: { availability: cloudwatch.Alarm; p99: cloudwatch.Alarm; p50: cloudwatch.Alarm };
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Encrypts the alarm topic' });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new sns.Topic(this, 'Alarms', { masterKey: key, enforceSSL: true, displayName: `${props.product} ${props.environment} alarms` });

    const period = Duration.minutes(5);
    const metrics = props.alb.metrics;
    const requests = metrics.requestCount({ period, statistic: 'Sum' });
    const errors = metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' });
    const elbErrors = metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period, statistic: 'Sum' });
    const availability = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * (1 - (errors + elbErrors) / requests), 100)',
      usingMetrics: { requests, errors, elbErrors },
      period,
      label: 'Availability (%)',
    });
    const p99 = metrics.targetResponseTime({ period, statistic: 'p99' });
    const p50 = metrics.targetResponseTime({ period, statistic: 'p50' });

    const alarm = (name: string, metric: cloudwatch.IMetric, threshold: number, comparison: cloudwatch.ComparisonOperator, description: string) => {
      const a = new cloudwatch.Alarm(this, name, {
        alarmDescription: `${props.product} ${props.environment}: ${description}`,
        metric,
        threshold,
        comparisonOperator: comparison,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      a.addOkAction(new actions.SnsAction(this.alarmTopic));
      return a;
    };
    this.alarms = {
      availability: alarm('Availability', availability, SLO.availability * 100, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, 'availability below 99.9 %'),
      p99: alarm('LatencyP99', p99, SLO.p99Seconds, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, 'p99 latency above 500 ms'),
      p50: alarm('LatencyP50', p50, SLO.p50Seconds, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, 'p50 latency above 100 ms'),
    };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.product}-${props.environment}`,
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Availability (%)', left: [availability], leftAnnotations: [{ value: SLO.availability * 100, label: 'SLO 99.9 %' }] }),
          new cloudwatch.GraphWidget({
            title: 'Latency (s)',
            left: [p50, p99],
            leftAnnotations: [
              { value: SLO.p50Seconds, label: 'p50 SLO' },
              { value: SLO.p99Seconds, label: 'p99 SLO' },
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Requests and errors', left: [requests], right: [errors, elbErrors] }),
          new cloudwatch.GraphWidget({
            title: 'Healthy targets',
            left: [props.targetGroup.metrics.healthyHostCount(), props.targetGroup.metrics.unhealthyHostCount()],
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'SLO alarms', alarms: [this.alarms.availability, this.alarms.p99, this.alarms.p50], width: 24 })],
      ],
    });
  }
}
