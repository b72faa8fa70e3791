import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EVENT_SOURCES } from '../events.ts';
import { PARAMETERS, type ParameterRef, publishParameter, readParameter } from '../parameters.ts';
import { physicalName } from '../stages.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

/**
 * Orders: the application's HTTP API, the order functions behind it, and the order-events queue
 * through which payment and invoice events move orders along.
 *
 * Deployed last. It sends RequestPayment to the payments service's inbox (payment-requests), so it
 * reads that queue from the parameters the payments stack published; and it mounts the HTTP
 * functions the payments and invoices stacks published (confirm-bank-transfer, get-invoice) on its
 * API. Letting those stacks add their routes to this API instead (through its id in SSM) would need
 * this stack deployed before payments, while this stack needs payments deployed first: a cycle. One
 * API keeps one base URL for every route of the contract (DESIGN §4), locally and on AWS.
 */
export class OrdersService extends ServiceStack {
  /** Every route of the HTTP API, by route key (`POST /orders`). */
  readonly routes = new Map<string, apigwv2.HttpRoute>();

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, 'orders', props);
    const { stage, data } = this;
    const ordersTable = data.table('orders');
    const consumerTimeout = Duration.seconds(30);

    const paymentRequests = sqs.Queue.fromQueueAttributes(this, 'PaymentRequestsQueue', {
      queueArn: readParameter(this, stage, PARAMETERS.paymentRequestsQueueArn),
      queueUrl: readParameter(this, stage, PARAMETERS.paymentRequestsQueueUrl),
    });

    const placeOrder = this.addFunction('PlaceOrderFunction', {
      handler: 'place-order',
      description: 'POST /orders: stores the order, sends RequestPayment, announces OrderPlaced.',
    })
      .bindTable(ordersTable, 'readWrite')
      .bindTable(data.table('idempotency'), 'readWrite')
      .bindQueueForSending(paymentRequests, 'PAYMENT_REQUESTS_QUEUE_URL')
      .bindEventBus(data.eventBus);
    const getOrder = this.addFunction('GetOrderFunction', {
      handler: 'get-order',
      description: 'GET /orders/{orderId}',
    }).bindTable(ordersTable, 'read');
    const cancelOrder = this.addFunction('CancelOrderFunction', {
      handler: 'cancel-order',
      description: 'POST /orders/{orderId}/cancel: cancels the order and announces OrderCancelled.',
    })
      .bindTable(ordersTable, 'readWrite')
      .bindEventBus(data.eventBus);

    const orderEvents = this.addQueue('OrderEventsQueue', 'order-events', consumerTimeout);
    this.subscribe('OrderEventsRule', orderEvents, {
      sources: [EVENT_SOURCES.payments, EVENT_SOURCES.invoices],
      types: ['PaymentCaptured', 'PaymentFailed', 'InvoiceIssued', 'PaymentRefunded'],
    });
    this.addFunction('ApplyOrderEventFunction', {
      handler: 'apply-order-event',
      description: 'Moves orders on PaymentCaptured, PaymentFailed, InvoiceIssued and PaymentRefunded.',
      timeout: consumerTimeout,
      reservedConcurrency: stage.reservedConcurrency,
    })
      .bindTable(ordersTable, 'readWrite')
      .consume(orderEvents, { batchSize: 10 });

    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogGroup', {
      logGroupName: `/aws/apigateway/${physicalName(stage, 'http-api')}`,
      retention: stage.logRetention,
      removalPolicy: stage.removal,
    });
    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: physicalName(stage, 'http-api'),
      description: 'Orders, payments confirmation and invoices (DESIGN §4).',
      createDefaultStage: false,
    });
    const apiStage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: stage.apiThrottle,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs) },
    });

    const route = (method: apigwv2.HttpMethod, path: string, id: string, handler: lambda.IFunction) => {
      const [added] = api.addRoutes({
        path,
        methods: [method],
        integration: new HttpLambdaIntegration(id, handler),
      });
      if (added) this.routes.set(`${method} ${path}`, added);
    };
    route(apigwv2.HttpMethod.POST, '/orders', 'PlaceOrderIntegration', placeOrder.target);
    route(apigwv2.HttpMethod.GET, '/orders/{orderId}', 'GetOrderIntegration', getOrder.target);
    route(apigwv2.HttpMethod.POST, '/orders/{orderId}/cancel', 'CancelOrderIntegration', cancelOrder.target);
    route(
      apigwv2.HttpMethod.POST,
      '/payments/{orderId}/confirm',
      'ConfirmBankTransferIntegration',
      this.publishedFunction('ConfirmBankTransferFunction', PARAMETERS.confirmBankTransferFunctionArn),
    );
    route(
      apigwv2.HttpMethod.GET,
      '/invoices/{invoiceId}',
      'GetInvoiceIntegration',
      this.publishedFunction('GetInvoiceFunction', PARAMETERS.getInvoiceFunctionArn),
    );

    // Whatever no route matches gets the contract's error shape (404, or 405 with Allow) from a
    // function that knows the routes, instead of API Gateway's own {"message":"Not Found"}.
    const unmatchedRoute = this.addFunction('UnmatchedRouteFunction', {
      handler: 'unmatched-route',
      description: '$default route: 404 or 405 in the error shape of the HTTP contract.',
    });
    unmatchedRoute.function.addEnvironment('API_ROUTE_KEYS', [...this.routes.keys()].join(','));
    this.routes.set(
      '$default',
      new apigwv2.HttpRoute(this, 'DefaultRoute', {
        httpApi: api,
        routeKey: apigwv2.HttpRouteKey.DEFAULT,
        integration: new HttpLambdaIntegration('UnmatchedRouteIntegration', unmatchedRoute.target),
      }),
    );

    // The HTTP handlers turn an unexpected error into a 500 response rather than a failed
    // invocation, so the function alarms do not see them: this one does.
    new cloudwatch.Alarm(this, 'HttpApiServerErrorsAlarm', {
      alarmName: physicalName(stage, 'http-api-5xx'),
      alarmDescription:
        'The HTTP API answered 5xx: a handler failed unexpectedly (look it up by x-correlation-id).',
      metric: apiStage.metricServerError({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new actions.SnsAction(data.alarmTopic));

    publishParameter(this, stage, PARAMETERS.httpApiUrl, apiStage.url);
    new CfnOutput(this, 'HttpApiUrl', { value: apiStage.url, description: 'Base URL of the HTTP API' });

    this.addDashboard([
      [
        new cloudwatch.GraphWidget({
          title: 'HTTP API requests',
          width: 12,
          left: [
            api.metricCount({ label: 'Requests' }),
            api.metricClientError({ label: '4xx' }),
            api.metricServerError({ label: '5xx' }),
          ],
        }),
        new cloudwatch.GraphWidget({
          title: 'HTTP API latency p95 (ms)',
          width: 12,
          left: [
            api.metricLatency({ label: 'Latency', statistic: 'p95' }),
            api.metricIntegrationLatency({ label: 'Integration', statistic: 'p95' }),
          ],
        }),
      ],
    ]);
  }

  /** Another service's HTTP function, by the ARN it published (its `live` alias on canary stages). */
  private publishedFunction(id: string, parameter: ParameterRef): lambda.IFunction {
    return lambda.Function.fromFunctionAttributes(this, id, {
      functionArn: readParameter(this, this.stage, parameter),
      // Same account and region by construction: lets this stack grant API Gateway the invoke permission.
      sameEnvironment: true,
    });
  }
}
