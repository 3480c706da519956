// Runs autocannon against a loopback URL for a bounded time and returns its result with the status counts.
import autocannon from "autocannon";

export interface CannonOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: "GET" | "POST";
  /** Joined to `url`: autocannon takes the request path from the URL, not from an option. */
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: autocannon.Request[];
}

export interface CannonResult {
  /** autocannon's mean of its per-second samples. */
  requestsPerSecond: number;
  totalRequests: number;
  durationSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
}

/** A short unrecorded run first (the server's JIT and the connections warm up), then the measured one. */
export async function measure(options: CannonOptions, warmUpSeconds = 2): Promise<CannonResult> {
  await runCannon({ ...options, durationSeconds: warmUpSeconds });
  return runCannon(options);
}

export function runCannon(options: CannonOptions): Promise<CannonResult> {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(options.url)) {
    // The benchmarks only ever load this machine's own loopback servers.
    return Promise.reject(new Error(`refusing to load a non-loopback URL: ${options.url}`));
  }
  const statuses: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: new URL(options.path ?? "/", options.url).toString(),
        connections: options.connections,
        duration: options.durationSeconds,
        pipelining: 1,
        timeout: 10,
        ...(options.method === undefined ? {} : { method: options.method }),
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        ...(options.body === undefined ? {} : { body: options.body }),
        ...(options.requests === undefined ? {} : { requests: options.requests }),
      },
      (error, result) => {
        clearTimeout(guard);
        if (error) {
          reject(error);
          return;
        }
        resolve({
          requestsPerSecond: result.requests.average,
          totalRequests: result.requests.total,
          durationSeconds: result.duration,
          latencyP50Ms: result.latency.p50,
          latencyP99Ms: result.latency.p99,
          errors: result.errors,
          timeouts: result.timeouts,
          statuses,
        });
      },
    );
    instance.on("response", (_client, statusCode) => {
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    // autocannon stops by itself at `duration`; this guard stops it if it ever does not.
    const guard = setTimeout(() => instance.stop(), (options.durationSeconds + 15) * 1000);
  });
}
