import type { HttpRouteConfig } from '../config/model.js';

export interface Route {
  functionId: string;
  config: HttpRouteConfig;
  routeKey: string;
  pattern: RegExp;
  parameterNames: string[];
}

export function compileRoute(functionId: string, config: HttpRouteConfig): Route {
  const parameterNames: string[] = [];
  const source = config.path
    .split('/')
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy) {
        parameterNames.push(greedy[1] ?? '');
        return '(.+)';
      }
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (parameter) {
        parameterNames.push(parameter[1] ?? '');
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const routeKey =
    config.path === '*' ? '$default' : `${config.method === '*' ? 'ANY' : config.method} ${config.path}`;
  return { functionId, config, routeKey, pattern: new RegExp(`^${source}$`), parameterNames };
}

/** The most specific match wins: exact method before ANY, fewer parameters before more. */
export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | undefined {
  const candidates = routes
    .map((route) => ({ route, match: route.pattern.exec(path) }))
    .filter(({ route, match }) => match && (route.config.method === '*' || route.config.method === method))
    .sort(
      (a, b) =>
        Number(a.route.config.method === '*') - Number(b.route.config.method === '*') ||
        a.route.parameterNames.length - b.route.parameterNames.length,
    );
  const best = candidates[0];
  if (!best?.match) return undefined;
  const pathParameters: Record<string, string> = {};
  best.route.parameterNames.forEach((name, index) => {
    pathParameters[name] = decodeURIComponent(best.match?.[index + 1] ?? '');
  });
  return { route: best.route, pathParameters };
}
