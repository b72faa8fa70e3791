// The API Gateway adapter binds its server the way the moved local services do.
export { listenOnLoopback } from '@shop/local-services/listen';
