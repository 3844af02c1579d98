/**
 * Names and cheap readers for the contributed settings. Kept free of zod so activation stays
 * cheap; the model settings are validated in catalog.ts, loaded on first use.
 * The schemas users see are in package.json (contributes.configuration).
 */
import * as vscode from 'vscode';

export const SECTION = 'anymodel';
export const DEFAULT_MODEL_KEY = 'defaultModel';
export const MODELS_KEY = 'models';
/** Must match the `default` of anymodel.defaultModel in package.json. */
export const DEFAULT_MODEL = 'ollama_chat/llama3.2';

/** Providers that run on the user's machine: free, and what the offline switch falls back to. */
const LOCAL_PREFIXES = ['ollama/', 'ollama_chat/', 'hosted_vllm/', 'lm_studio/'];

/** The model used for new chats; falls back to the built-in default if the setting is unusable. */
export function readDefaultModel(): string {
  const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(DEFAULT_MODEL_KEY);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : DEFAULT_MODEL;
}

/** True when a workspace or folder value shadows the user (global) value of anymodel.defaultModel. */
export function defaultModelIsOverridden(): boolean {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect(DEFAULT_MODEL_KEY);
  return inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
}

/**
 * Whether a model (a provider/model id or a model_name of anymodel.models) runs locally, read
 * without validating the settings: the status bar needs it at activation.
 */
export function isLocalModel(model: string): boolean {
  const entries = vscode.workspace.getConfiguration(SECTION).get<unknown>(MODELS_KEY);
  const targets = Array.isArray(entries)
    ? entries.filter((e) => (e as { model_name?: unknown })?.model_name === model)
      .map((e) => (e as { litellm_params?: { model?: unknown } }).litellm_params?.model)
      .filter((m): m is string => typeof m === 'string')
    : [];
  const ids = targets.length ? targets : [model];
  return ids.every((id) => LOCAL_PREFIXES.some((p) => id.startsWith(p)));
}

/** Whether anymodel.models holds a plain `api_key` (read raw: activation must not load the services for nothing). */
export function settingsHoldKey(): boolean {
  const entries = vscode.workspace.getConfiguration(SECTION).get<unknown>(MODELS_KEY);
  return Array.isArray(entries) && entries.some((e) => {
    const key = (e as { litellm_params?: { api_key?: unknown } } | null)?.litellm_params?.api_key;
    return typeof key === 'string' && !key.startsWith('os.environ/');
  });
}

/** Every other setting, read when used (never cached: changes apply without a reload). */
export function readSettings() {
  const c = vscode.workspace.getConfiguration(SECTION);
  const str = (key: string, fallback: string): string => {
    const v = c.get<unknown>(key);
    return typeof v === 'string' ? v.trim() : fallback;
  };
  const num = (key: string, fallback: number, min: number, max: number): number => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
  };
  return {
    configFile: str('configFile', ''),
    ollamaBaseUrl: str('ollamaBaseUrl', 'http://127.0.0.1:11434') || 'http://127.0.0.1:11434',
    gatewayUrl: str('gatewayUrl', ''),
    offlineModel: str('offlineModel', ''),
    autoOfflineSwitch: c.get<unknown>('autoOfflineSwitch') !== false,
    offlineRecheckSeconds: num('offlineRecheckSeconds', 30, 1, 3600),
    // Defaults and why: README.md, "Settings" (they must match package.json).
    connectTimeoutSeconds: num('network.connectTimeoutSeconds', 4, 1, 120),
    firstByteTimeoutSeconds: num('network.firstByteTimeoutSeconds', 180, 0, 3600),
    logPrompts: c.get<unknown>('logPrompts') === true,
    proxyPort: num('proxy.port', 4000, 0, 65535),
    otlpEndpoint: str('telemetry.otlpEndpoint', ''),
    otlpLogContent: c.get<unknown>('telemetry.logContent') === true,
  };
}

export type Settings = ReturnType<typeof readSettings>;

/** `anymodel.statusBar.showSpend`: today's spend next to the model in the status bar. */
export function readShowSpend(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<unknown>('statusBar.showSpend') === true;
}

/** The largest `num_ctx` sent to Ollama (`anymodel.ollama.maxContextTokens`): a bigger context costs the user's memory. */
export function ollamaMaxContextTokens(): number {
  const v = vscode.workspace.getConfiguration(SECTION).get<unknown>('ollama.maxContextTokens');
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(1_048_576, Math.max(2048, Math.round(v))) : 32_768;
}
