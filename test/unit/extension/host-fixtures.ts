/**
 * What the chat host's unit tests give the catalog and the conversation store: the editor
 * settings with nothing configured (Ollama at a closed port, no gateway, no offline model) and a
 * Memento kept in memory, as VS Code's workspaceState would be.
 */
import type { CatalogInputs } from '../../../src/extension/catalog';

export const catalogSettings = (over: Partial<CatalogInputs['settings']> = {}): CatalogInputs['settings'] => ({
  configFile: '', ollamaBaseUrl: 'http://127.0.0.1:9', gatewayUrl: '', offlineModel: '', autoOfflineSwitch: false,
  offlineRecheckSeconds: 30, connectTimeoutSeconds: 4, firstByteTimeoutSeconds: 180, logPrompts: false, proxyPort: 4000, otlpEndpoint: '', otlpLogContent: false, ...over,
});

export class Memento {
  private readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined { return this.data.get(key) as T | undefined; }
  async update(key: string, value: unknown): Promise<void> { this.data.set(key, value); }
}
