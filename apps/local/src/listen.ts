// The API Gateway adapter binds its server as the local services in @shop/local-services do.
export { listenOnLoopback } from '@shop/local-services/listen';
