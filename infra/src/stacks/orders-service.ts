import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import type { RouteKey } from '@shop/contracts/routes';
import { CfnOutput, Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PARAMETERS, type ParameterRef, publishParameter, readParameter } from '../parameters.ts';
import { metricNamespace, physicalName } from '../stages.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

/** The one route without a customer token: the bank signs its calls instead (Standard Webhooks). */
const BANK_TRANSFER_WEBHOOK: RouteKey = 'POST /webhooks/bank-transfers';

/**
 * Orders: the application's HTTP API, the order functions behind it, and the order-events queue
 * through which payment and invoice events move orders along.
 *
 * Every route requires a customer's token, checked by API Gateway against the identity stack's user
 * pool before any function runs: the JWT authorizer is the API's default, so a new route is
 * protected unless it opts out, as the bank's webhook does.
 *
 * Deployed last: it sends RequestPayment to the payment-requests queue the payments stack published.
 * Why it mounts payments' and invoices' HTTP functions: docs/adr/0010-one-http-api-in-the-orders-stack.md.
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
      description: `POST /orders: stores the order, sends ${COMMANDS.RequestPayment.type}, announces ${EVENTS.OrderPlaced.type}.`,
      invokedBy: '`POST /orders`',
      failureMeans:
        'the client got a 500 (also counted by the 5xx alarm); the order was not accepted, or was undone',
    })
      .bindTable(ordersTable, 'readWrite')
      .bindTable(data.table('idempotency'), 'readWrite')
      .bindQueueForSending(paymentRequests, 'PAYMENT_REQUESTS_QUEUE_URL')
      .bindEventBus(data.eventBus);
    const getOrder = this.addFunction('GetOrderFunction', {
      handler: 'get-order',
      description: 'GET /orders/{orderId}',
      invokedBy: '`GET /orders/{orderId}`',
      failureMeans: 'reads fail: the client got a 500',
    }).bindTable(ordersTable, 'read');
    const cancelOrder = this.addFunction('CancelOrderFunction', {
      handler: 'cancel-order',
      description: `POST /orders/{orderId}/cancel: cancels the order and announces ${EVENTS.OrderCancelled.type}.`,
      invokedBy: '`POST /orders/{orderId}/cancel`',
      failureMeans: 'a cancellation was refused with a 500; the order kept its status',
    })
      .bindTable(ordersTable, 'readWrite')
      .bindEventBus(data.eventBus);

    const appliedEvents = [
      EVENTS.PaymentCaptured,
      EVENTS.PaymentFailed,
      EVENTS.InvoiceIssued,
      EVENTS.PaymentRefunded,
    ];
    const orderEvents = this.addQueue('OrderEventsQueue', {
      name: 'order-events',
      consumerTimeout,
      holds:
        'payment and invoice events not applied to their order; also an event about an order the orders ' +
        'service does not hold, which needs a person',
    });
    this.subscribe('OrderEventsRule', orderEvents, appliedEvents);
    this.addFunction('ApplyOrderEventFunction', {
      handler: 'apply-order-event',
      description: `Moves orders on ${appliedEvents.map(({ type }) => type).join(', ')}.`,
      invokedBy: `the ${orderEvents.name} queue: ${appliedEvents.map(({ type }) => `\`${type}\``).join(', ')} from the bus`,
      failureMeans: 'orders are not moving to `PAID`, `PAYMENT_FAILED`, `INVOICED` or refunded',
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
    const customers = data.customerUserPool;
    const customerAuthorizer = new HttpJwtAuthorizer('CustomerAuthorizer', customers.issuer, {
      jwtAudience: [customers.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    const api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: physicalName(stage, 'http-api'),
      description: 'Orders, the bank-transfer webhook and invoices of Serverless Commerce.',
      createDefaultStage: false,
      defaultAuthorizer: customerAuthorizer,
    });
    const apiStage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: stage.apiThrottle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // JSON, so that metric filters and Logs Insights read fields by name. No credential: neither the
        // Authorization header nor the webhook's signature is logged.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    /** A route of the HTTP contract, by its route key. */
    const route = (
      routeKey: RouteKey,
      id: string,
      handler: lambda.IFunction,
      authorizer?: apigwv2.IHttpRouteAuthorizer,
    ) => {
      const [method, path = ''] = routeKey.split(' ') as [apigwv2.HttpMethod, string];
      const [added] = api.addRoutes({
        path,
        methods: [method],
        integration: new HttpLambdaIntegration(id, handler),
        ...(authorizer ? { authorizer } : {}),
      });
      if (added) this.routes.set(routeKey, added);
    };
    route('POST /orders', 'PlaceOrderIntegration', placeOrder.target);
    route('GET /orders/{orderId}', 'GetOrderIntegration', getOrder.target);
    route('POST /orders/{orderId}/cancel', 'CancelOrderIntegration', cancelOrder.target);
    route(
      BANK_TRANSFER_WEBHOOK,
      'ConfirmBankTransferIntegration',
      this.publishedFunction('ConfirmBankTransferFunction', PARAMETERS.confirmBankTransferFunctionArn),
      // The bank has no customer token: confirm-bank-transfer verifies the webhook's signature.
      new apigwv2.HttpNoneAuthorizer(),
    );
    route(
      'GET /invoices/{invoiceId}',
      'GetInvoiceIntegration',
      this.publishedFunction('GetInvoiceFunction', PARAMETERS.getInvoiceFunctionArn),
    );

    // Whatever no route matches gets the contract's error shape (404, or 405 with Allow) from a
    // function that knows the routes, instead of API Gateway's own {"message":"Not Found"}.
    const unmatchedRoute = this.addFunction('UnmatchedRouteFunction', {
      handler: 'unmatched-route',
      description: '$default route: 404 or 405 in the error shape of the HTTP contract.',
      invokedBy: "the API's `$default` route: every request no route matches",
      failureMeans: '404/405 answers failed: usually its `API_ROUTE_KEYS` environment',
    });
    unmatchedRoute.function.addEnvironment('API_ROUTE_KEYS', [...this.routes.keys()].join(','));
    this.routes.set(
      '$default',
      new apigwv2.HttpRoute(this, 'DefaultRoute', {
        httpApi: api,
        routeKey: apigwv2.HttpRouteKey.DEFAULT,
        integration: new HttpLambdaIntegration('UnmatchedRouteIntegration', unmatchedRoute.target),
        authorizer: customerAuthorizer,
      }),
    );

    // The HTTP handlers turn an unexpected error into a 500 response rather than a failed
    // invocation, so the function alarms do not see them: this one does.
    this.addAlarm('HttpApiServerErrorsAlarm', {
      name: 'http-api-5xx',
      description:
        'The HTTP API answered 5xx: a handler failed unexpectedly (look it up by x-correlation-id).',
      metric: apiStage.metricServerError({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
    });

    // Refused customer tokens (the webhook's refusals have their own alarm in the payments stack).
    const unauthorized = new logs.MetricFilter(this, 'HttpApiUnauthorizedMetricFilter', {
      logGroup: accessLogs,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue('$.status', '=', '401'),
        logs.FilterPattern.stringValue('$.routeKey', '!=', BANK_TRANSFER_WEBHOOK),
      ),
      metricNamespace: metricNamespace(stage),
      metricName: 'HttpApiUnauthorized',
      metricValue: '1',
    });
    this.addAlarm('HttpApiUnauthorizedBurstAlarm', {
      name: 'http-api-401-burst',
      description:
        'The HTTP API refused 50 or more customer tokens in 5 minutes: token guessing, a client sending ' +
        'bad tokens, or an issuer or audience out of step with the user pool (see authorizerError in the access log).',
      // A customer whose token expired is refused a few times before the app refreshes it; fifty in
      // five minutes is not that.
      metric: unauthorized.metric({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 50,
    });

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
