/** Starts the proxy server over a config; used by the CLI, the extension and the tests. */
import type { AddressInfo } from 'node:net';
import { AnyModelClient, type ClientOptions } from '../core';
import type { CoreConfig } from '../core';
import { createProxyServer } from './server';
import { isLoopbackAddress } from './net';

export interface StartOptions {
  config: CoreConfig;
  host?: string;
  port?: number;
  masterKey?: string;
  log?: (line: string) => void;
  clientOptions?: ClientOptions;
}

export interface RunningProxy {
  url: string;
  port: number;
  client: AnyModelClient;
  /** Stops accepting, lets open requests finish for up to `graceMs`, then closes what is left. */
  close(graceMs?: number): Promise<void>;
}

export class ProxyStartError extends Error {}

export async function startProxy(opts: StartOptions): Promise<RunningProxy> {
  const host = opts.host ?? '127.0.0.1';
  const masterKey = opts.masterKey || undefined;
  if (!masterKey && !isLoopbackAddress(host)) {
    throw new ProxyStartError(`Refusing to listen on ${host} without a master key: set general_settings.master_key or ANYMODEL_MASTER_KEY, or listen on 127.0.0.1`);
  }
  const client = new AnyModelClient(opts.config, opts.clientOptions);
  const server = createProxyServer({ client, masterKey, maxBodyBytes: opts.config.settings.maxRequestBytes, log: opts.log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new ProxyStartError(err.code === 'EADDRINUSE' ? `Port ${opts.port} on ${host} is already in use` : `Cannot listen on ${host}:${opts.port}: ${err.message}`)));
    server.listen(opts.port ?? 4000, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    client,
    close: (graceMs = 5000) => new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      server.close(() => { clearTimeout(force); resolve(); });
      server.closeIdleConnections();
    }),
  };
}
