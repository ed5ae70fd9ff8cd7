/**
 * What runs on the server: the service list (the shape of `docker compose ps --format json`) and
 * Postal's own health servers. A reader's failure is evidence in the rows, never swallowed.
 */
import type { ComposeServiceRow, ContainerRow, HealthEndpointProbe } from '../checks/service-health-check.ts';
import { readServiceList } from '../clients/service-list.ts';
import type { ProbeContext } from './probe-context.ts';
import { NO_SERVICE_VIEW, ProbeUnavailable } from './probe-unavailable.ts';

export interface ServiceListProbe {
  observe(): Promise<{
    services?: ComposeServiceRow[];
    serviceListError?: string;
    containers?: ContainerRow[];
    containerListError?: string;
    healthEndpoints: HealthEndpointProbe[];
  }>;
}

export function serviceListProbe(context: ProbeContext): ServiceListProbe {
  const { target } = context;
  return {
    async observe() {
      const postal = target.postal;
      if (!postal?.services && !postal?.healthUrls.length) throw new ProbeUnavailable(NO_SERVICE_VIEW);
      // Undefined when the target names no service list: INF-03 says so, it does not judge an empty list.
      let services: ComposeServiceRow[] | undefined;
      let serviceListError: string | undefined;
      if (postal.services) {
        try {
          services = await readServiceList(postal.services, context.http, target.timeouts.connectMs);
        } catch (error) {
          serviceListError = (error as Error).message;
        }
      }
      let containers: ContainerRow[] | undefined;
      let containerListError: string | undefined;
      if (postal.containers) {
        try {
          containers = await readServiceList<ContainerRow>(postal.containers, context.http, target.timeouts.connectMs);
        } catch (error) {
          containerListError = (error as Error).message;
        }
      }
      const healthEndpoints: HealthEndpointProbe[] = [];
      for (const endpoint of postal.healthUrls) {
        try {
          const response = await context.http.request(endpoint.url);
          healthEndpoints.push({ name: endpoint.name, url: endpoint.url, status: response.status, body: response.body.slice(0, 100) });
        } catch (error) {
          healthEndpoints.push({ name: endpoint.name, url: endpoint.url, error: (error as Error).message });
        }
      }
      return { ...(services ? { services } : {}), serviceListError, containers, containerListError, healthEndpoints };
    },
  };
}
